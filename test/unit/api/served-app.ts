/**
 * The store's REST app on a loopback port, with a service object that has only
 * the methods a test gives it, and every bearer token taken as one user.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppStoreService } from '../../../src/api/grpc/app-store-service.js';
import { createRestApp } from '../../../src/api/rest/app.js';
import { createLogger } from '../../../src/observability/logger.js';

export interface ServedApp {
  readonly base: string;
  /** fetch relative to the app, with a bearer token unless headers say otherwise. */
  readonly fetch: (path: string, init?: RequestInit) => Promise<Response>;
  readonly close: () => Promise<void>;
}

export async function serveRestApp(service: Partial<AppStoreService>): Promise<ServedApp> {
  const app = createRestApp({
    service: service as AppStoreService,
    authenticate: async () => ({ id: 'alice', groups: ['fc:org:example.org'], kind: 'user', source: 'test' }),
    log: createLogger('silent'),
    readiness: {},
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    fetch: (path, init = {}) => fetch(`${base}${path}`, { ...init, headers: { authorization: 'Bearer t', ...(init.headers as Record<string, string> | undefined) } }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
