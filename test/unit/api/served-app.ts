/**
 * The store's REST app on a loopback port, with a service object that has only
 * the methods a test gives it, and every bearer token taken as one user.
 */
import { request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppStoreService } from '../../../src/api/grpc/app-store-service.js';
import { createRestApp } from '../../../src/api/rest/app.js';
import { createLogger } from '../../../src/observability/logger.js';
import { Metrics } from '../../../src/observability/metrics.js';

export interface ServedApp {
  readonly base: string;
  /** fetch relative to the app, with a bearer token unless headers say otherwise. */
  readonly fetch: (path: string, init?: RequestInit) => Promise<Response>;
  /**
   * A GET with exactly these headers (and the bearer token), by node:http: fetch adds Cache-Control: no-cache to any
   * request with If-None-Match, which would make every conditional GET unconditional.
   */
  readonly get: (path: string, headers?: Record<string, string>) => Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>;
  readonly close: () => Promise<void>;
}

export async function serveRestApp(service: Partial<AppStoreService>): Promise<ServedApp> {
  const app = createRestApp({
    service: service as AppStoreService,
    authenticate: async () => ({ id: 'alice', groups: ['fc:org:example.org'], kind: 'user', source: 'test' }),
    log: createLogger('silent'),
    readiness: {},
    metrics: new Metrics({ defaultMetrics: false }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    fetch: (path, init = {}) => fetch(`${base}${path}`, { ...init, headers: { authorization: 'Bearer t', ...(init.headers as Record<string, string> | undefined) } }),
    get: (path, headers = {}) =>
      new Promise((resolve, reject) => {
        const req = request(`${base}${path}`, { headers: { authorization: 'Bearer t', ...headers } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
