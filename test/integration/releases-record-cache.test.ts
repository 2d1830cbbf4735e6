/**
 * The watch-fed cache of release records on the real API server: it follows
 * what another writer (a replica, an operator) does, a store reads its own
 * writes back at once, and after the API server went away the watch starts
 * again by itself and catches up.
 */
import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { RecordCache } from '../../src/kube/record-cache.js';
import { parseRecord, SecretReleaseStore } from '../../src/kube/release-store.js';
import { createLogger } from '../../src/observability/logger.js';
import type { ReleaseRecord } from '../../src/releases/types.js';
import { fault } from '../harness/fault-control.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, eventually, kubeClients } from './kube.js';

const env = readTestEnv();
const kube = kubeClients(env);
const storeNamespace = 'appstore-record-cache';
const config = new KubeConfig();
config.loadFromFile(env.cluster.kubeconfig);
let cache: RecordCache;
/** Another writer of the same records, without a cache (another replica, as far as this one can tell). */
const other = new SecretReleaseStore(kube.core, storeNamespace);
let store: SecretReleaseStore;

const record = (id: string, over: Partial<ReleaseRecord> = {}): ReleaseRecord => ({
  id,
  owner: 'alice',
  application: 'sample/hello',
  version: '1.0.0',
  namespace: 'apps-record-cache',
  adminGroups: [],
  development: false,
  values: { id },
  state: 'deployed',
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  ...over,
});
const name = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  await ensureNamespace(kube, storeNamespace);
  await other.create(record(name('before')));
  cache = new RecordCache({ config, namespace: storeNamespace, parse: parseRecord, log: createLogger('warn'), retryMs: 200, maxRetryMs: 2000 });
  await cache.start();
  store = new SecretReleaseStore(kube.core, storeNamespace, cache);
});

afterAll(async () => {
  await fault(env.controlUrl, 'apiserver/start').catch(() => undefined);
  await cache?.stop();
});

test('its first list holds the records written before it started', async () => {
  expect(cache.ready).toBe(true);
  expect((await store.summaries()).map((s) => s.id).sort()).toEqual((await other.summaries()).map((s) => s.id).sort());
});

test('a record another writer makes, changes and deletes is followed through the watch', async () => {
  const id = name('watched');
  const created = await other.create(record(id, { owner: 'bob', adminGroups: ['g:lab'], state: 'pending' }));
  await eventually('the new record in the cache', async () => (cache.index.record(id)?.state === 'pending' ? true : undefined), 10_000);
  expect((await store.summariesOf('carol', ['g:lab'])).map((s) => s.id)).toContain(id);
  // An update carries the version it was read at (here: the one its create answered).
  await other.update({ ...created, state: 'deployed' });
  await eventually('the change in the cache', async () => (cache.index.record(id)?.state === 'deployed' ? true : undefined), 10_000);
  await other.delete(id);
  await eventually('the record gone from the cache', async () => (cache.index.record(id) === undefined ? true : undefined), 10_000);
  expect((await store.summariesOf('bob', ['g:lab'])).map((s) => s.id)).not.toContain(id);
  expect(await store.countByState()).toEqual(await other.countByState());
});

test('the store reads back its own create, update and delete at once', async () => {
  for (let i = 0; i < 5; i++) {
    const id = name('own');
    await store.create(record(id, { state: 'pending' }));
    expect(cache.ready).toBe(true);
    const read = await store.get(id);
    expect(read?.state).toBe('pending');
    // The version read from the cache is the one the create answered: the update is not a conflict.
    await store.update({ ...read!, state: 'deployed' });
    expect((await store.get(id))?.state).toBe('deployed');
    expect((await store.read([id])).map((r) => r.state)).toEqual(['deployed']);
    await store.delete(id);
    expect(await store.get(id)).toBeUndefined();
    expect((await store.summaries()).map((s) => s.id)).not.toContain(id);
  }
});

test('after the API server was away, the watch starts again by itself and catches up', async () => {
  await fault(env.controlUrl, 'apiserver/stop');
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await fault(env.controlUrl, 'apiserver/start');
  const id = name('after');
  await eventually('the API server back', async () => {
    await other.create(record(id));
    return true;
  });
  await eventually('the record made after the restart in the cache', async () => (cache.ready && cache.index.record(id) ? true : undefined), 60_000);
  await other.delete(id);
  await eventually('its deletion in the cache', async () => (cache.ready && cache.index.record(id) === undefined ? true : undefined), 30_000);
});
