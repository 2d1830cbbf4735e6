import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppStoreService } from '../../../src/api/grpc/app-store-service.js';
import type { Credentials } from '../../../src/api/credentials.js';
import { createRestApp } from '../../../src/api/rest/app.js';
import { tooManyFailures } from '../../../src/identity/identity-errors.js';
import { createLogger } from '../../../src/observability/logger.js';

/** A REST app whose authentication records which client it was asked about, and refuses with 429. */
async function serve(trustProxy?: number | readonly string[]) {
  const clients: (string | undefined)[] = [];
  const app = createRestApp({
    service: {} as AppStoreService,
    authenticate: async (credentials: Credentials) => {
      clients.push(credentials.client);
      throw tooManyFailures(17);
    },
    log: createLogger('silent'),
    readiness: {},
    ...(trustProxy !== undefined && { trustProxy }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/releases`;
  const get = (headers: Record<string, string>) => fetch(url, { headers: { authorization: 'Bearer x', ...headers } });
  return { clients, get, close: () => new Promise((r) => server.close(r)) };
}

test('the client is the socket peer; X-Forwarded-For is ignored unless the proxy is trusted', async () => {
  const plain = await serve();
  await plain.get({ 'x-forwarded-for': '203.0.113.9' });
  await plain.close();
  const proxied = await serve(['loopback']);
  await proxied.get({ 'x-forwarded-for': '203.0.113.9' });
  await proxied.close();
  expect([...plain.clients, ...proxied.clients]).toEqual(['127.0.0.1', '203.0.113.9']);
});

test('a client refused for too many failures gets 429 problem+json with Retry-After', async () => {
  const app = await serve();
  const res = await app.get({});
  await app.close();
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe('17');
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(await res.json()).toMatchObject({ status: 429, title: 'Too Many Requests', code: 'ResourceExhausted' });
});
