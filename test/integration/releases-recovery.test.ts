/**
 * Consistency after failures, on the real Tiller and API server: Tiller
 * stopped in the middle of use, and reconciliation of the store's records
 * with Tiller's releases (orphans on either side).
 */
import { randomBytes } from 'node:crypto';
import { loadChartArchive } from '../../src/charts/index.js';
import { SecretReleaseStore } from '../../src/kube/release-store.js';
import type { ReleaseRecord } from '../../src/releases/types.js';
import { fault } from '../harness/fault-control.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, eventually, kubeClients } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-recovery';
const storeNamespace = 'appstore-recovery';
let running: RunningStore;
let call: ReturnType<typeof api>;
let records: SecretReleaseStore;

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  running = await startStore(env, { namespace: storeNamespace, deployNamespaces: [namespace] });
  call = api(running.url);
  records = new SecretReleaseStore(kube.core, storeNamespace);
});

afterAll(async () => {
  await fault(env.controlUrl, 'tiller/start').catch(() => undefined);
  await running?.stop();
});

const record = (id: string, state: ReleaseRecord['state']): ReleaseRecord => ({
  id,
  owner: 'alice',
  application: 'sample/hello',
  version: '1.0.0',
  namespace,
  adminGroups: [],
  development: false,
  values: {},
  state,
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
});

const name = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

async function tillerInstall(id: string): Promise<void> {
  const archive = Buffer.from(await (await fetch(`${env.repoUrl}/hello-1.0.0.tgz`)).arrayBuffer());
  await running.store.tiller.install({ chart: await loadChartArchive(archive), name: id, namespace });
}

describe('with Tiller stopped', () => {
  let installed = '';

  beforeAll(async () => {
    const res = await call('POST', '/releases', { user: 'alice', body: { application: 'sample/hello', version: '1.0.0', namespace } });
    expect(res.status).toBe(200);
    installed = String(res.json.id);
    await fault(env.controlUrl, 'tiller/stop');
  });

  test('an install answers 503 with Retry-After, quickly', async () => {
    const started = Date.now();
    const res = await call('POST', '/releases', { user: 'alice', body: { application: 'sample/hello', version: '1.0.0', namespace } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.json.detail).toMatch(env.cluster.engine === 'tiller' ? /^Tiller is unavailable/ : /^Helm engine is unavailable/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test('the record and its status still read: status comes from Tiller\'s storage and the live objects', async () => {
    expect((await call('GET', `/releases/${installed}`, { user: 'alice' })).status).toBe(200);
    const status = await call('GET', `/releases/${installed}/status`, { user: 'alice' });
    if (env.cluster.engine === 'helm4') {
      // The store reads a Helm engine's releases through the engine only (no access to target namespaces' Secrets).
      expect(status.status).toBe(503);
      expect(status.headers.get('retry-after')).toBe('5');
      return;
    }
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ namespace, status: 'DEPLOYED' });
    expect((status.json.resources as Array<{ kind: string }>).map((r) => r.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Service']);
  });

  test('history is read from Tiller\'s storage too; a rollback, which Tiller must do, is 503', async () => {
    const history = await call('GET', `/releases/${installed}/history`, { user: 'alice' });
    if (env.cluster.engine === 'helm4') {
      expect(history.status).toBe(503);
    } else {
      expect(history.status).toBe(200);
      expect(history.json).toMatchObject([{ revision: 1, version: '1.0.0', status: 'DEPLOYED' }]);
    }
    const rollback = await call('POST', `/releases/${installed}/rollback`, { user: 'alice', body: { revision: 1 } });
    expect(rollback.status).toBe(503);
    expect(rollback.headers.get('retry-after')).toBe('5');
  });

  test('readiness reports Tiller down', async () => {
    const res = await call('GET', '/readyz');
    expect(res.status).toBe(503);
    const checks = res.json.checks as Record<string, string>;
    expect(checks).toMatchObject({ kubernetes: 'ok', catalog: 'ok' });
    expect(checks.tiller).not.toBe('ok');
  });

  test('after Tiller restarts, reconciliation leaves no half-done install behind', async () => {
    await fault(env.controlUrl, 'tiller/start');
    await eventually('the store to reach Tiller again', () => running.store.tiller.version().then(() => true, () => undefined), 30_000);
    await running.store.reconcile();
    const left = (await records.list()).filter((r) => r.id !== installed);
    expect(left.filter((r) => r.state !== 'deployed')).toEqual([]);
    expect((await call('GET', `/releases/${installed}/status`, { user: 'alice' })).json.status).toBe('DEPLOYED');
    expect((await call('DELETE', `/releases/${installed}`, { user: 'alice' })).status).toBe(204);
  });
});

describe('reconciliation', () => {
  test('a pending record whose install never reached Tiller is removed', async () => {
    const id = name('unstarted');
    await records.create(record(id, 'pending'));
    const report = await running.store.reconcile();
    expect(report.actions).toContainEqual({ id, action: 'removed-unstarted-install', tillerStatus: undefined });
    expect(await records.get(id)).toBeUndefined();
  });

  test('a pending record whose release Tiller deployed is completed', async () => {
    const id = name('finished');
    await records.create(record(id, 'pending'));
    await tillerInstall(id);
    const report = await running.store.reconcile();
    expect(report.actions).toContainEqual({ id, action: 'completed-install', tillerStatus: 'DEPLOYED' });
    expect((await call('GET', `/releases/${id}`, { user: 'alice' })).status).toBe(200);
    expect((await call('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
  });

  test('a record left deleting has its deletion finished', async () => {
    const id = name('deleting');
    await records.create(record(id, 'deleting'));
    await tillerInstall(id);
    const report = await running.store.reconcile();
    expect(report.actions).toContainEqual({ id, action: 'completed-delete', tillerStatus: 'DEPLOYED' });
    expect(await records.get(id)).toBeUndefined();
    await expect(running.store.tiller.status(id)).rejects.toMatchObject({ code: 'NotFound' });
  });

  test('a record whose release was purged outside the store is removed', async () => {
    const id = name('vanished');
    await records.create(record(id, 'deployed'));
    const report = await running.store.reconcile();
    expect(report.actions).toContainEqual({ id, action: 'removed-vanished-release', tillerStatus: undefined });
    expect(await records.get(id)).toBeUndefined();
  });

  test('a Tiller release the store did not make is reported and left alone', async () => {
    const id = name('foreign');
    await tillerInstall(id);
    const report = await running.store.reconcile();
    expect(report.actions).toContainEqual({ id, action: 'unmanaged-tiller-release', tillerStatus: 'DEPLOYED' });
    await expect(running.store.tiller.status(id)).resolves.toMatchObject({ name: id });
    await running.store.tiller.uninstall(id, { purge: true });
  });
});

test('a record another replica changed since it was read is not overwritten: the update is a 409 Conflict', async () => {
  const id = name('stale');
  const replicaA = new SecretReleaseStore(kube.core, storeNamespace);
  const replicaB = new SecretReleaseStore(kube.core, storeNamespace);
  await replicaA.create(record(id, 'deployed'));
  const readByA = await replicaA.get(id);
  const readByB = await replicaB.get(id);
  await replicaB.update({ ...readByB!, values: { by: 'b' } });
  const refused = await replicaA.update({ ...readByA!, values: { by: 'a' } }).catch((err: unknown) => err);
  expect(refused).toMatchObject({ code: 'Conflict', message: expect.stringMatching(/changed by another request since it was read/) as string });
  expect((await records.get(id))?.values).toEqual({ by: 'b' });
  // Read again, the change goes through, and its answer is good for the next one.
  const again = await replicaA.update({ ...(await replicaA.get(id))!, values: { by: 'a' } });
  await replicaA.update({ ...again, state: 'deleting' });
  expect(await records.get(id)).toMatchObject({ values: { by: 'a' }, state: 'deleting' });
  await records.delete(id);
});
