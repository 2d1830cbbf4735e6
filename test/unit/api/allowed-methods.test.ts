/**
 * Methods per path: a known path with a method it does not have is 405
 * problem+json with Allow; OPTIONS on a known path is 204 with Allow; both
 * come before authentication, and both follow the OpenAPI document's paths.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { allowedMethods, methodTable } from '../../../src/api/rest/allowed-methods.js';
import { METHODS, openApiDocument } from '../../../src/api/rest/openapi.js';
import { restAppWithoutService } from './rest-app.js';

let server: Server;
let base: string;

beforeAll(async () => {
  // No release or catalog route is reached by these requests but the ones that fail authentication.
  server = restAppWithoutService().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const call = (method: string, path: string) => fetch(`${base}${path}`, { method });

/** A concrete path for a template: every {param} becomes x. */
const concrete = (template: string) => template.replace(/\{[^}]+\}/g, 'x');

describe('unsupported methods on known paths', () => {
  test('DELETE /releases is 405 problem+json with Allow, before authentication', async () => {
    const res = await call('DELETE', '/releases');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(await res.json()).toMatchObject({
      type: 'about:blank',
      title: 'Method Not Allowed',
      status: 405,
      instance: '/releases',
      requestId: res.headers.get('x-request-id'),
    });
  });

  test('PUT on a release, POST on a probe, DELETE on a package', async () => {
    const release = await call('PUT', '/releases/blurry-green-cat');
    expect([release.status, release.headers.get('allow')]).toEqual([405, 'GET, HEAD, PATCH, DELETE, OPTIONS']);
    const probe = await call('POST', '/healthz');
    expect([probe.status, probe.headers.get('allow')]).toEqual([405, 'GET, HEAD, OPTIONS']);
    const rollback = await call('GET', '/releases/blurry-green-cat/rollback');
    expect([rollback.status, rollback.headers.get('allow')]).toEqual([405, 'POST, OPTIONS']);
    // /packages/{repo}/{name} also matches /packages/sample/versions: GET is allowed there, DELETE is not.
    const pkg = await call('DELETE', '/packages/sample/versions');
    expect([pkg.status, pkg.headers.get('allow')]).toEqual([405, 'GET, HEAD, OPTIONS']);
  });

  test('paths match as express matches them: any case, one trailing slash', async () => {
    expect((await call('PUT', '/Releases/')).status).toBe(405);
    expect((await call('PUT', '/releases/x/STATUS/')).status).toBe(405);
  });

  test('supported methods still reach their routes; unknown paths are still 404', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('HEAD', '/healthz')).status).toBe(200);
    expect((await call('GET', '/releases')).status).toBe(401);
    for (const method of ['GET', 'PUT', 'OPTIONS']) {
      const res = await call(method, '/no/such/path');
      expect({ method, status: res.status, allow: res.headers.get('allow') }).toEqual({ method, status: 404, allow: null });
    }
    expect((await call('DELETE', '/releases/x/y/z')).status).not.toBe(405);
  });
});

describe('OPTIONS on known paths', () => {
  test('is 204 with Allow and no body, without credentials', async () => {
    const res = await call('OPTIONS', '/releases/blurry-green-cat/rollback');
    expect(res.status).toBe(204);
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
    expect(await res.text()).toBe('');
    const health = await call('OPTIONS', '/healthz');
    expect([health.status, health.headers.get('allow')]).toEqual([204, 'GET, HEAD, OPTIONS']);
  });
});

describe('the method table', () => {
  test('every documented path allows exactly its documented methods (plus HEAD with GET, and OPTIONS)', async () => {
    const table = methodTable(openApiDocument.paths);
    for (const [template, item] of Object.entries(openApiDocument.paths)) {
      const documented = METHODS.filter((m) => item[m] !== undefined).map((m) => m.toUpperCase());
      const allowed = allowedMethods(table, concrete(template)) ?? [];
      expect({ template, allowed: allowed.filter((m) => m !== 'HEAD' && m !== 'OPTIONS').sort() }).toEqual({ template, allowed: documented.sort() });
      const res = await call('OPTIONS', concrete(template));
      expect({ template, status: res.status, allow: res.headers.get('allow') }).toEqual({ template, status: 204, allow: allowed.join(', ') });
    }
  });

  test('an unknown path has no methods', () => {
    expect(allowedMethods(methodTable(openApiDocument.paths), '/nope')).toBeUndefined();
  });
});
