/**
 * One tenant's oversized or malformed input cannot leave half-done releases,
 * flood the logs or hang a client: sizes are checked before Tiller is called,
 * REST and gRPC apply the same limits, and values Kubernetes refuses are the
 * caller's 422, not the store's 500. Against the real Tiller and API server.
 */
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { AppStoreClient, type InstallReleaseRequest } from '../../gen/appstore/v1/appstore.js';
import { SecretReleaseStore } from '../../src/kube/release-store.js';
import { ALL_STATUS_CODES } from '../../src/tiller/index.js';
import { captureLogger, type CapturedLogger } from '../fixtures/catalog/capture-logger.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, kubeClients } from './kube.js';
import { api, startStore, USERS, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-limits';
const storeNamespace = 'appstore-limits';
const roomyNamespace = 'appstore-limits-roomy';
let running: RunningStore;
/** A store whose values cap (1 MiB) is above what a record holds: only the record check stands in the way. */
let roomy: RunningStore;
let captured: CapturedLogger;
let client: AppStoreClient;

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  captured = captureLogger();
  running = await startStore(env, { namespace: storeNamespace, deployNamespaces: [namespace], log: captured.logger });
  roomy = await startStore(env, {
    namespace: roomyNamespace,
    deployNamespaces: [namespace],
    extraEnv: { APPSTORE_MAX_VALUES_BYTES: String(1024 * 1024) },
  });
  client = new AppStoreClient(running.grpcAddress, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await running?.stop();
  await roomy?.stop();
});

const tillerReleases = async () =>
  (await running.store.tiller.list({ namespace, statusCodes: ALL_STATUS_CODES }))
    .filter((r) => r.namespace === namespace)
    .map((r) => `${r.name}:${r.version}`)
    .sort();
const records = (storeNs: string) =>
  new SecretReleaseStore(kube.core, storeNs).list().then((list) => list.map((r) => `${r.id}:${r.state}`).sort());

/** Runs a change that must fail, and checks that neither Tiller nor the store's records changed. */
async function changesNothing<T>(storeNs: string, change: () => Promise<T>): Promise<T> {
  const [tillerBefore, recordsBefore] = [await tillerReleases(), await records(storeNs)];
  const result = await change();
  expect(await tillerReleases()).toEqual(tillerBefore);
  expect(await records(storeNs)).toEqual(recordsBefore);
  return result;
}

const installBody = (values: unknown) => ({ application: 'sample/hello', version: '1.0.0', namespace, values });

describe('sizes are checked before Tiller is called', () => {
  test('an install whose record would not fit its Secret is 422 naming both sizes, and nothing is deployed', async () => {
    const res = await changesNothing(roomyNamespace, () =>
      api(roomy.url)('POST', '/releases', { user: 'alice', body: installBody({ blob: 'x'.repeat(1_000_000) }) }),
    );
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ code: 'Unprocessable', limit: 983040, parameter: 'values' });
    expect(res.json.size).toBeGreaterThan(1_000_000);
    expect(res.json.detail).toMatch(/^the release record would take \d+ bytes; a record holds at most 983040 bytes$/);
  });

  test('install values above APPSTORE_MAX_VALUES_BYTES are 422, and nothing is deployed', async () => {
    const res = await changesNothing(storeNamespace, () =>
      api(running.url)('POST', '/releases', { user: 'alice', body: installBody({ blob: 'x'.repeat(300_000) }) }),
    );
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ limit: 262144, size: 300_011, detail: 'values take 300011 bytes as JSON; the limit is 262144 bytes' });
  });

  test('an upgrade whose merged values exceed the cap is 422: revision and record values stay as they were', async () => {
    const call = api(running.url);
    const installed = await call('POST', '/releases', { user: 'alice', body: installBody({ replicaCount: 0 }) });
    expect(installed.status).toBe(200);
    const id = String(installed.json.id);
    const first = await call('PATCH', `/releases/${id}`, { user: 'alice', body: { values: { big1: 'a'.repeat(150_000) } } });
    expect(first.status).toBe(200);
    const revision = (await running.store.tiller.content(id)).version;

    const second = await changesNothing(storeNamespace, () =>
      call('PATCH', `/releases/${id}`, { user: 'alice', body: { values: { big2: 'b'.repeat(150_000) } } }),
    );
    expect(second.status).toBe(422);
    expect(second.json.detail).toMatch(/^merged values take 3000\d\d bytes as JSON; the limit is 262144 bytes$/);
    expect((await running.store.tiller.content(id)).version).toBe(revision);
    const record = await call('GET', `/releases/${id}`, { user: 'alice' });
    expect(Object.keys(record.json.values as object).sort()).toEqual(['big1', 'replicaCount']);
    expect((await call('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
  });
});

describe('malformed values are 400 at the edge', () => {
  const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

  test('values nested 5000 levels deep (REST) are 400 naming the path, on install and upgrade', async () => {
    const call = api(running.url);
    const install = await changesNothing(storeNamespace, () =>
      call('POST', '/releases', {
        user: 'alice',
        rawBody: `{"application":"sample/hello","namespace":"${namespace}","values":${deepJson(5000)}}`,
      }),
    );
    expect(install.status).toBe(400);
    expect(install.json.detail).toBe(`values${'.a'.repeat(32)} is nested deeper than 32 levels`);
    const upgrade = await call('PATCH', '/releases/no-such-release', { user: 'alice', rawBody: `{"values":${deepJson(5000)}}` });
    expect(upgrade.status).toBe(400);
  });

  test.each([
    ['a value', '{"message":"hi \\udc00"}', 'values.message'],
    ['a key', '{"service":{"\\ud800x":1}}', 'values.service."\\ud800x"'],
  ])('a lone UTF-16 surrogate in %s is 400 naming the path', async (_what, values, path) => {
    const res = await changesNothing(storeNamespace, () =>
      api(running.url)('POST', '/releases', {
        user: 'alice',
        rawBody: `{"application":"sample/hello","namespace":"${namespace}","values":${values}}`,
      }),
    );
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([{ path, message: expect.stringMatching(/lone UTF-16 surrogate/) }]);
  });
});

describe('a value Kubernetes refuses', () => {
  test('is 422 with Tiller\'s message, leaves nothing behind, and the value is never logged at error level', async () => {
    const marker = 'Bogus-7f3a9c';
    const res = await changesNothing(storeNamespace, () =>
      api(running.url)('POST', '/releases', { user: 'alice', body: installBody({ service: { type: marker } }) }),
    );
    expect(res.status).toBe(422);
    expect(res.json.code).toBe('Unprocessable');
    expect(res.json.detail).toMatch(/Service ".*-hello" is invalid: spec\.type: Unsupported value: "Bogus-7f3a9c"/);
    const errorLines = captured.lines().filter((l) => Number(l.level) >= 50);
    expect(errorLines.filter((l) => JSON.stringify(l).includes(marker))).toEqual([]);
    // The audit record says what failed.
    expect(captured.lines()).toContainEqual(expect.objectContaining({ audit: true, action: 'install', outcome: 'failed' }));
  });
});

describe('gRPC applies the same limits', () => {
  function rpc(request: Partial<InstallReleaseRequest>, metadata = new Metadata()): Promise<ServiceError> {
    metadata.set('authorization', `Bearer ${USERS.alice.token}`);
    const full: InstallReleaseRequest = {
      application: 'sample/hello',
      version: '1.0.0',
      namespace,
      adminGroups: [],
      development: false,
      values: undefined,
      dryRun: false,
      ...request,
    };
    return new Promise((resolve, reject) => {
      client.installRelease(full, metadata, { deadline: Date.now() + 20_000 }, (error) =>
        error ? resolve(error) : reject(new Error('the call succeeded, but it should have failed')),
      );
    });
  }

  const nested = (depth: number) => {
    let value: Record<string, unknown> = { leaf: 'x' };
    for (let i = 1; i < depth; i++) value = { a: value };
    return value;
  };

  test.each([
    ['one level past the limit (refused by the service)', 33],
    ['past what the Struct decoder reads', 60],
  ])('a deep Struct, %s, is INVALID_ARGUMENT', async (_what, depth) => {
    const err = await changesNothing(storeNamespace, () => rpc({ values: nested(depth) }));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/nested deeper than 32 levels|values may nest at most 32 levels/);
  });

  test.each([
    ['an over-long namespace', { namespace: 'n'.repeat(2_000_000) }, /^namespace "n+… \(\d+ more characters\)" is not a valid Kubernetes namespace name$/],
    ['an over-long admin group', { adminGroups: ['g'.repeat(100_000)] }, /^adminGroups\[0\] is 100000 characters long; at most 256 are accepted$/],
    ['too many admin groups', { adminGroups: Array.from({ length: 101 }, (_, i) => `g${i}`) }, /^adminGroups may name at most 100 groups, got 101$/],
    ['an over-long version', { version: '1'.repeat(500) }, /^version is 500 characters long/],
  ])('%s is INVALID_ARGUMENT with a bounded message', async (_what, request, message) => {
    const err = await rpc(request);
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(message);
    expect(err.details.length).toBeLessThan(1200);
  });

  test('a forged x-request-id is replaced, not echoed into the audit record', async () => {
    const forged = 'forged id {"audit":true}';
    const metadata = new Metadata();
    metadata.set('x-request-id', forged);
    const err = await rpc({ namespace: 'Not_A_Namespace' }, metadata);
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    const audit = captured.lines().filter((l) => l.audit === true && l.outcome === 'failed' && l.namespace === 'Not_A_Namespace');
    expect(audit).toHaveLength(1);
    expect(audit[0]?.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(captured.text()).not.toContain('forged id');
  });
});
