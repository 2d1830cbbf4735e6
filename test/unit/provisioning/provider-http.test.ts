import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppStoreError } from '../../../src/domain/errors.js';
import { callProvider, refused } from '../../../src/provisioning/provider-http.js';

let server: Server;
let base = '';
const answers: Record<string, [number, unknown]> = {
  '/ok': [201, { client_id: 'c', client_secret: 'very-secret' }],
  '/bad': [400, { error: 'invalid_redirect_uri', error_description: 'redirect_uris must be https', client_secret: 'very-secret' }],
  '/denied': [401, { error: 'invalid_token' }],
  '/forbidden': [403, { message: 'not the owner' }],
  '/broken': [502, { message: 'bad gateway' }],
  '/moved': [302, {}],
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const [status, body] = answers[req.url ?? ''] ?? [404, {}];
    res.writeHead(status, { 'content-type': 'application/json', ...(status === 302 && { location: '/ok' }) }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

const failureOf = async (p: Promise<unknown>): Promise<AppStoreError> => {
  try {
    await p;
  } catch (err) {
    return AppStoreError.from(err);
  }
  throw new Error('expected a failure');
};

test('answers below 500 come back with their JSON body', async () => {
  expect(await callProvider('P', `${base}/ok`, { method: 'POST', body: {}, timeoutMs: 2000 })).toMatchObject({ status: 201, body: { client_id: 'c' } });
  expect((await callProvider('P', `${base}/missing`, { method: 'GET', timeoutMs: 2000 })).status).toBe(404);
});

test('a refusal names the provider’s error code and description, never the rest of its body', async () => {
  const res = await callProvider('P', `${base}/bad`, { method: 'POST', timeoutMs: 2000 });
  const err = refused('P', 'register the client', res);
  expect(err.code).toBe('Unprocessable');
  expect(err.message).toBe('P refused to register the client (400: invalid_redirect_uri: redirect_uris must be https)');
  expect(JSON.stringify({ message: err.message, details: err.details })).not.toContain('very-secret');
});

test('401 and 403 are PermissionDenied, unless the caller reads them (RFC 7592: no such client)', async () => {
  expect((await failureOf(callProvider('P', `${base}/denied`, { method: 'GET', timeoutMs: 2000 }))).code).toBe('PermissionDenied');
  expect((await failureOf(callProvider('P', `${base}/forbidden`, { method: 'PATCH', timeoutMs: 2000 }))).message).toMatch(/not the owner/);
  expect((await callProvider('P', `${base}/denied`, { method: 'GET', timeoutMs: 2000, passUnauthorized: true })).status).toBe(401);
});

test('a 5xx, a redirect, no answer or a timeout is Unavailable (503)', async () => {
  expect((await failureOf(callProvider('P', `${base}/broken`, { method: 'GET', timeoutMs: 2000 }))).code).toBe('Unavailable');
  expect((await failureOf(callProvider('P', `${base}/moved`, { method: 'GET', timeoutMs: 2000 }))).code).toBe('Unavailable');
  const refusedPort = await failureOf(callProvider('P', 'http://127.0.0.1:1/reg', { method: 'POST', timeoutMs: 2000 }));
  expect(refusedPort).toMatchObject({ code: 'Unavailable' });
  expect(refusedPort.message).toMatch(/^P is unavailable: /);
});
