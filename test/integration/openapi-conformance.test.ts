/**
 * The served /openapi.json against the store's real answers: every endpoint
 * is called (a release's whole life on the real Tiller, the catalog, errors),
 * and each answer's status, media type, declared headers and body must be
 * what the document declares for that path, method and status.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { OpenApiDocument, Reference, Response } from '../../src/api/rest/openapi.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, eventually, kubeClients } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-oas';
const DOC_ID = 'urn:appstore:openapi';
let running: RunningStore;
let call: ReturnType<typeof api>;
let doc: OpenApiDocument;
let ajv: Ajv2020;

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type CallOptions = Parameters<ReturnType<typeof api>>[2];
type Answer = Awaited<ReturnType<ReturnType<typeof api>>>;

/** "GET /releases/{id}" → the statuses it answered with here. */
const exercised = new Map<string, Set<number>>();

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  running = await startStore(env, { namespace: 'appstore-oas', deployNamespaces: [namespace] });
  call = api(running.url);
  const served = await call('GET', '/openapi.json');
  expect(served.status).toBe(200);
  doc = served.json as unknown as OpenApiDocument;
  ajv = new Ajv2020({ strict: true, allErrors: true });
  // The document's own members are not JSON Schema keywords; its schemas are reached by JSON pointer.
  for (const member of Object.keys(doc)) ajv.addKeyword(member);
  ajv.addSchema({ ...doc, $id: DOC_ID });
});

afterAll(() => running?.stop());

const pointer = (...tokens: string[]) => tokens.map((t) => `/${t.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');

function resolveRef<T>(value: T | Reference): [T, string | undefined] {
  if (typeof value !== 'object' || value === null || !('$ref' in value)) return [value, undefined];
  const path = value.$ref.replace(/^#\//, '').split('/').map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
  let target: unknown = doc;
  for (const token of path) target = (target as Record<string, unknown> | undefined)?.[token];
  if (target === undefined) throw new Error(`unresolved $ref ${value.$ref}`);
  return [target as T, pointer(...path)];
}

const validators = new Map<string, ValidateFunction>();
function validatorAt(schemaPointer: string): ValidateFunction {
  const known = validators.get(schemaPointer);
  if (known) return known;
  const validate = ajv.compile({ $ref: `${DOC_ID}#${schemaPointer}` });
  validators.set(schemaPointer, validate);
  return validate;
}

/**
 * Calls the store and checks the answer against the document: a declared
 * status, a declared media type, each required header (and its schema), and
 * the body against the declared schema (none for a response without content).
 */
async function conformant(method: Method, template: string, params: Record<string, string>, options: CallOptions = {}, query = ''): Promise<Answer> {
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? `<${name}?>`));
  const res = await call(method, `${path}${query}`, options);
  const where = `${method} ${template} → ${res.status}`;
  const statuses = exercised.get(`${method} ${template}`) ?? new Set<number>();
  exercised.set(`${method} ${template}`, statuses.add(res.status));

  const operation = doc.paths[template]?.[method.toLowerCase() as 'get'];
  expect({ where, documented: operation !== undefined }).toEqual({ where, documented: true });
  const declared = operation?.responses[String(res.status)];
  expect({ where, declaredStatuses: Object.keys(operation?.responses ?? {}).includes(String(res.status)) }).toEqual({ where, declaredStatuses: true });
  if (!declared) return res;
  const [response, responsePointer] = resolveRef<Response>(declared);
  const base = responsePointer ?? pointer('paths', template, method.toLowerCase(), 'responses', String(res.status));

  for (const [name, headerOrRef] of Object.entries(response.headers ?? {})) {
    const [header, headerPointer] = resolveRef(headerOrRef);
    const value = res.headers.get(name);
    if (header.required) expect({ where, header: name, present: value !== null }).toEqual({ where, header: name, present: true });
    if (value === null) continue;
    const schemaPointer = `${headerPointer ?? `${base}${pointer('headers', name)}`}/schema`;
    const typed = header.schema.type === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
    const validate = validatorAt(schemaPointer);
    validate(typed);
    expect({ where, header: name, value, errors: validate.errors ?? null }).toEqual({ where, header: name, value, errors: null });
  }

  if (!response.content) {
    expect({ where, body: res.text }).toEqual({ where, body: '' });
    return res;
  }
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  expect({ where, mediaType: Object.keys(response.content).includes(mediaType) ? 'declared' : mediaType }).toEqual({ where, mediaType: 'declared' });
  const validate = validatorAt(`${base}${pointer('content', mediaType, 'schema')}`);
  const isJson = mediaType === 'application/json' || mediaType.endsWith('+json');
  const body: unknown = res.text === '' ? undefined : isJson ? JSON.parse(res.text) : res.text;
  validate(body);
  expect({ where, errors: validate.errors ?? null }).toEqual({ where, errors: null });
  return res;
}

describe('public endpoints', () => {
  test('health, readiness and the document itself', async () => {
    expect((await conformant('GET', '/healthz', {})).status).toBe(200);
    await eventually('the store to be ready', async () => ((await call('GET', '/readyz')).status === 200 ? true : undefined));
    expect((await conformant('GET', '/readyz', {})).json).toMatchObject({ status: 'ready' });
    expect((await conformant('GET', '/openapi.json', {})).json.openapi).toMatch(/^3\.1\./);
    expect((await conformant('GET', '/metrics', {})).text).toContain('# TYPE appstore_http_requests_total counter');
    expect((await conformant('GET', '/openapi.json', {}, {}, '?format=yaml')).status).toBe(400);
  });

  test('the catalog: list, search and page, by id, by name, one version', async () => {
    const all = await conformant('GET', '/packages', {});
    expect(all.status).toBe(200);
    expect(all.headers.get('x-catalog-stale-seconds')).toBe('0');
    expect((all.json as unknown as Array<{ id: string }>).map((p) => p.id)).toContain('sample/hello');
    const page = await conformant('GET', '/packages', {}, {}, '?query=hello&deprecated=true&limit=1&offset=0');
    expect(page.json).toHaveLength(1);
    const byId = await conformant('GET', '/packages/{repo}/{name}', { repo: 'sample', name: 'hello' });
    expect(byId.json).toMatchObject({ id: 'sample/hello', repo: 'sample' });
    expect((await conformant('GET', '/packages/{name}', { name: 'hello' }, { user: 'alice' })).json).toEqual(byId.json);
    const version = await conformant('GET', '/packages/{repo}/{name}/versions/{version}', { repo: 'sample', name: 'hello', version: '1.0.0' });
    expect(version.status).toBe(200);
    expect(version.json.valuesSchema).toEqual(expect.objectContaining({ type: 'object' }));
  });

  test('catalog errors are declared problems', async () => {
    expect((await conformant('GET', '/packages', {}, {}, '?limit=0')).status).toBe(400);
    expect((await conformant('GET', '/packages', {}, {}, '?colour=blue')).json).toMatchObject({ status: 400, parameter: 'colour' });
    expect((await conformant('GET', '/packages', {}, { token: 'forged' })).status).toBe(401);
    expect((await conformant('GET', '/packages/{repo}/{name}', { repo: 'sample', name: 'nope' })).status).toBe(404);
    expect((await conformant('GET', '/packages/{name}', { name: 'nope' })).status).toBe(404);
    const noVersion = await conformant('GET', '/packages/{repo}/{name}/versions/{version}', { repo: 'sample', name: 'hello', version: '9.9.9' });
    expect(noVersion.status).toBe(404);
  });
});

describe('a release through its whole life, as alice', () => {
  let id = '';

  test('namespaces, a dry run, then an install', async () => {
    expect((await conformant('GET', '/namespaces', {}, { user: 'alice' })).json).toContain(namespace);
    expect((await conformant('GET', '/me', {}, { user: 'alice' })).json).toMatchObject({ id: 'alice', namespaces: [namespace] });
    expect((await conformant('GET', '/repositories', {}, { user: 'alice' })).json).toEqual([
      expect.objectContaining({ name: 'sample', kind: 'http', loaded: true, failing: false }),
    ]);
    const body = { application: 'sample/hello', version: '1.0.0', namespace, adminGroups: ['fc:org:example.org'], values: { replicaCount: 2 } };
    const dry = await conformant('POST', '/releases', {}, { user: 'alice', body }, '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.json.manifest).toContain('kind: Deployment');
    const installed = await conformant('POST', '/releases', {}, { user: 'alice', body });
    expect(installed.status).toBe(200);
    expect(installed.json).not.toHaveProperty('manifest');
    id = String(installed.json.id);
  });

  test('list, get, status and history', async () => {
    const list = await conformant('GET', '/releases', {}, { user: 'alice' });
    expect((list.json as unknown as Array<{ id: string }>).map((r) => r.id)).toContain(id);
    expect((await conformant('GET', '/releases', {}, { user: 'alice' }, '?limit=1&offset=0')).json).toHaveLength(1);
    expect((await conformant('GET', '/releases/{id}', { id }, { user: 'alice' })).json).toMatchObject({ id, owner: 'alice' });
    await eventually('a Ready deployment', async () => {
      const res = await call('GET', `/releases/${id}/status`, { user: 'alice' });
      return (res.json.resources as Array<{ kind: string; health: string }>).some((r) => r.kind === 'Deployment' && r.health === 'Ready') ? true : undefined;
    });
    const status = await conformant('GET', '/releases/{id}/status', { id }, { user: 'alice' });
    expect(status.json).toMatchObject({ namespace, status: 'DEPLOYED' });
    expect(status.json.resources).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'Deployment', health: 'Ready', ready: '2/2' })]));
    expect((await conformant('GET', '/releases/{id}/history', { id }, { user: 'alice' })).json).toHaveLength(1);
  });

  test('upgrade to 1.1.0, then roll back to revision 1', async () => {
    expect((await conformant('PATCH', '/releases/{id}', { id }, { user: 'alice', body: { version: '1.1.0' } })).json).toMatchObject({ version: '1.1.0' });
    expect((await conformant('GET', '/releases/{id}/history', { id }, { user: 'alice' })).json).toHaveLength(2);
    const back = await conformant('POST', '/releases/{id}/rollback', { id }, { user: 'alice', body: { revision: 1 } });
    expect(back.json).toMatchObject({ id, version: '1.0.0' });
  });

  test('errors on the way are declared problems', async () => {
    expect((await conformant('GET', '/releases', {})).status).toBe(401);
    expect((await conformant('GET', '/namespaces', {})).status).toBe(401);
    expect((await conformant('GET', '/me', {})).status).toBe(401);
    expect((await conformant('GET', '/repositories', {})).status).toBe(401);
    expect((await conformant('GET', '/releases/{id}', { id }, { user: 'carol' })).status).toBe(404);
    expect((await conformant('GET', '/releases/{id}/status', { id }, { user: 'carol' })).status).toBe(404);
    expect((await conformant('GET', '/releases/{id}/history', { id: 'no-such-release' }, { user: 'alice' })).status).toBe(404);
    expect((await conformant('GET', '/releases', {}, { user: 'alice' }, '?limit=x')).status).toBe(400);
    const unknownField = await conformant('POST', '/releases', {}, { user: 'alice', body: { application: 'sample/hello', namespace, colour: 'blue' } });
    expect(unknownField.json.errors).toEqual([{ path: 'colour', message: 'is not a known field' }]);
    expect((await conformant('POST', '/releases', {}, { user: 'bob', body: { application: 'sample/hello', namespace, adminGroups: ['fc:adhoc:team-a'] } })).status).toBe(403);
    expect((await conformant('POST', '/releases', {}, { user: 'alice', body: { application: 'sample/nope', namespace } })).status).toBe(404);
    const badValues = await conformant('POST', '/releases', {}, { user: 'alice', body: { application: 'sample/hello', version: '1.0.0', namespace, values: { replicaCount: 99 } } });
    expect(badValues.status).toBe(422);
    expect((await conformant('PATCH', '/releases/{id}', { id }, { user: 'alice', body: { version: '9.9.9' } })).status).toBe(422);
    expect((await conformant('PATCH', '/releases/{id}', { id }, { user: 'alice', rawBody: '{"version": ' })).status).toBe(400);
    const latin1 = { user: 'alice', rawBody: '{"version":"1.0.0"}', headers: { 'content-type': 'application/json; charset=iso-8859-1' } } as const;
    expect((await conformant('PATCH', '/releases/{id}', { id }, latin1)).status).toBe(415);
    const huge = { user: 'alice', body: { values: { blob: 'x'.repeat(1024 * 1024 + 10) } } } as const;
    expect((await conformant('PATCH', '/releases/{id}', { id }, huge)).status).toBe(413);
    expect((await conformant('POST', '/releases/{id}/rollback', { id }, { user: 'alice', body: { revision: 0 } })).status).toBe(400);
    expect((await conformant('DELETE', '/releases/{id}', { id }, { user: 'carol' })).status).toBe(404);
  });

  test('two concurrent upgrades: one is a declared 409', async () => {
    const results = await Promise.all([
      conformant('PATCH', '/releases/{id}', { id }, { user: 'alice', body: { version: '1.1.0' } }),
      conformant('PATCH', '/releases/{id}', { id }, { user: 'alice', body: { version: '1.1.0', values: { message: 'second' } } }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  test('without Tiller: readiness and a rollback are declared 503s; status and history still answer from Tiller\'s storage', async () => {
    const dead = await closedPort();
    const cut = await startStore(env, { namespace: 'appstore-oas', deployNamespaces: [namespace], extraEnv: { HELM_HOST: `127.0.0.1:${dead}` } });
    const saved = call;
    try {
      call = api(cut.url);
      const ready = await conformant('GET', '/readyz', {});
      expect(ready.json).toMatchObject({ status: 'not ready', checks: { catalog: 'ok', kubernetes: 'ok' } });
      const rollback = await conformant('POST', '/releases/{id}/rollback', { id }, { user: 'alice', body: { revision: 1 } });
      expect(rollback.status).toBe(503);
      expect(rollback.headers.get('retry-after')).toBe('5');
      expect((await conformant('GET', '/releases/{id}/history', { id }, { user: 'alice' })).status).toBe(200);
      expect((await conformant('GET', '/releases/{id}/status', { id }, { user: 'alice' })).status).toBe(200);
    } finally {
      call = saved;
      await cut.stop();
    }
  });

  test('delete answers 204 with no body; the release is gone', async () => {
    expect((await conformant('DELETE', '/releases/{id}', { id }, { user: 'alice' })).status).toBe(204);
    expect((await conformant('GET', '/releases/{id}', { id }, { user: 'alice' })).status).toBe(404);
  });
});

test('every documented operation was called, and answered a 2xx at least once', () => {
  const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
    (['get', 'post', 'patch', 'delete', 'put'] as const).filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`),
  );
  const succeeded = documented.filter((op) => [...(exercised.get(op) ?? [])].some((s) => s >= 200 && s < 300));
  expect(succeeded.sort()).toEqual(documented.sort());
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
