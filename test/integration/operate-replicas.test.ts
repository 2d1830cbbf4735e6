/**
 * Several replicas on one control plane: two store processes share the
 * records namespace and Tiller, and every change to a release holds its
 * Lease (coordination.k8s.io/v1). Raced changes from the two replicas: one
 * wins, the other is refused with 409 (or 404, when a delete won and had
 * marked the release deleting before the other replica looked), no update
 * is lost, and Tiller's history shows one change after another. A Lease left
 * by a dead holder blocks until it expires, and is then taken over.
 * Reconciliation on one replica leaves alone a change in flight on another.
 */
import { CoordinationV1Api, KubeConfig, V1MicroTime } from '@kubernetes/client-node';
import { AppStoreError } from '../../src/domain/errors.js';
import { isHeld, leaseName, LeaseLocks } from '../../src/kube/lease-locks.js';
import { SecretReleaseStore } from '../../src/kube/release-store.js';
import { createLogger } from '../../src/observability/logger.js';
import { InProcessLocks } from '../../src/releases/in-process-locks.js';
import type { ReconcileReport } from '../../src/releases/reconcile.js';
import { ReleaseService } from '../../src/releases/release-service.js';
import type { ReleaseRecord, ReleaseStore } from '../../src/releases/types.js';
import { ReleaseStatusCode, TillerClient } from '../../src/tiller/index.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, eventually, kubeClients, statusOf } from './kube.js';
import { startChildStore, startTillerProxy, type ChildStore, type TillerProxy } from './operate-child-store.js';
import { api, startStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-operate-replicas';
const storeNamespace = 'appstore-operate-replicas';
const kc = new KubeConfig();
kc.loadFromFile(env.cluster.kubeconfig);
const leases = kc.makeApiClient(CoordinationV1Api);
const tiller = new TillerClient(env.cluster.helmHost);
const records = new SecretReleaseStore(kube.core, storeNamespace);
let a: ChildStore;
let b: ChildStore;
/** Each replica reaches Tiller through a proxy that can hold Tiller's answers (operate-child-store.ts). */
let proxyA: TillerProxy;
let proxyB: TillerProxy;
let callA: ReturnType<typeof api>;
let callB: ReturnType<typeof api>;

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  await ensureNamespace(kube, storeNamespace);
  [proxyA, proxyB] = await Promise.all([startTillerProxy(env.cluster.helmHost), startTillerProxy(env.cluster.helmHost)]);
  [a, b] = await Promise.all([
    startChildStore(env, { namespace: storeNamespace, deployNamespaces: [namespace], extraEnv: { HELM_HOST: proxyA.address } }),
    startChildStore(env, { namespace: storeNamespace, deployNamespaces: [namespace], extraEnv: { HELM_HOST: proxyB.address } }),
  ]);
  callA = api(a.url);
  callB = api(b.url);
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.kill(), b?.kill()]);
  await Promise.all([proxyA?.close(), proxyB?.close()]);
  tiller.close();
});

async function install(message: string): Promise<string> {
  const res = await callA('POST', '/releases', { user: 'alice', body: { application: 'sample/hello', version: '1.0.0', namespace, values: { message } } });
  expect(res.status).toBe(200);
  return String(res.json.id);
}

/** Tiller's revisions, oldest first: [revision, status, description]. */
async function history(id: string): Promise<Array<[number, string, string]>> {
  return (await tiller.history(id))
    .map((r): [number, string, string] => [r.version, ReleaseStatusCode[r.info?.status?.code ?? 0] ?? '?', r.info?.Description ?? ''])
    .sort((x, y) => x[0] - y[0]);
}

async function leaseNames(): Promise<string[]> {
  return (await leases.listNamespacedLease({ namespace: storeNamespace })).items.map((l) => l.metadata?.name ?? '');
}

/** The value Tiller's latest revision holds for `message`. */
async function tillerMessage(id: string): Promise<string | undefined> {
  const raw = (await tiller.content(id)).config?.raw ?? '';
  return /^message: (.*)$/m.exec(raw)?.[1]?.replace(/^"|"$/g, '');
}

describe('PATCH on one replica races DELETE on the other', () => {
  /** Upgraded by the PATCH: the record and Tiller's latest revision say so, on either replica. */
  async function expectPatched(id: string, message: string): Promise<void> {
    expect(await history(id)).toEqual([
      [1, 'SUPERSEDED', 'installed by appstore for alice'],
      [2, 'DEPLOYED', 'upgraded by appstore for alice'],
    ]);
    expect(await tillerMessage(id)).toBe(message);
    for (const call of [callA, callB]) {
      expect((await call('GET', `/releases/${id}`, { user: 'alice' })).json).toMatchObject({ version: '1.1.0', values: { message } });
    }
  }

  /** Deleted by the DELETE: gone from Tiller and from the records. */
  async function expectDeleted(id: string): Promise<void> {
    await expect(tiller.history(id)).rejects.toMatchObject({ code: 'NotFound' });
    expect(await records.get(id)).toBeUndefined();
    expect((await callA('GET', `/releases/${id}`, { user: 'alice' })).status).toBe(404);
  }

  test('while the PATCH holds the Lease (it is at Tiller: the render the tenancy check reads), the DELETE is 409', async () => {
    const id = await install('patch first');
    proxyA.hold();
    const patch = callA('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '1.1.0', values: { message: 'patched' } } });
    try {
      await eventually('the upgrade to take the Lease', async () => ((await leaseNames()).includes(leaseName(id)) ? true : undefined), 30_000);
      const del = await callB('DELETE', `/releases/${id}`, { user: 'alice' });
      expect({ status: del.status, body: del.json }).toMatchObject({ status: 409, body: { status: 409, detail: expect.stringMatching(/busy/) } });
    } finally {
      proxyA.release();
    }
    expect((await patch).status).toBe(200);
    await expectPatched(id, 'patched');
    expect(await leaseNames()).not.toContain(leaseName(id));
    expect((await callB('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
  });

  test('while the DELETE holds the Lease (its uninstall is at Tiller), the PATCH is 404: the release is being deleted', async () => {
    const id = await install('delete first');
    proxyB.hold();
    const del = callB('DELETE', `/releases/${id}`, { user: 'alice' });
    try {
      await eventually('the delete to mark the release', async () => ((await records.get(id))?.state === 'deleting' ? true : undefined), 30_000);
      const patch = await callA('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '1.1.0', values: { message: 'too late' } } });
      expect(patch.status).toBe(404);
    } finally {
      proxyB.release();
    }
    expect((await del).status).toBe(204);
    await expectDeleted(id);
    expect(await leaseNames()).not.toContain(leaseName(id));
  });

  // Started at the same moment, which one takes the Lease first is up to the race. Whichever wins, the
  // other is refused: 409 while the winner holds the Lease, or 404 for a PATCH that looked after a
  // winning DELETE had marked the release deleting. Neither reaches Tiller.
  test.each([1, 2, 3])('raced at once, round %i: exactly one wins', async (round) => {
    const id = await install(`round ${round}`);
    const [patch, del] = await Promise.all([
      callA('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '1.1.0', values: { message: `patched ${round}` } } }),
      callB('DELETE', `/releases/${id}`, { user: 'alice' }),
    ]);
    if (patch.status === 200) {
      expect(del.status).toBe(409);
      await expectPatched(id, `patched ${round}`);
      expect((await callB('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
    } else {
      expect(del.status).toBe(204);
      expect([409, 404]).toContain(patch.status);
      await expectDeleted(id);
    }
    expect(await leaseNames()).not.toContain(leaseName(id));
  });
});

test('two PATCHes raced on the two replicas: one 409, or one after the other; the record and the engine agree', async () => {
  const id = await install('start');
  const [fromA, fromB] = await Promise.all([
    callA('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '', values: { message: 'from A' } } }),
    callB('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '', values: { message: 'from B' } } }),
  ]);
  const statuses = [fromA.status, fromB.status].sort();
  const message = (await records.get(id))?.values.message;
  expect(await tillerMessage(id)).toBe(message);
  if (env.cluster.engine === 'tiller' || statuses[1] === 409) {
    // Tiller's upgrade outlasts the other replica's attempt at the release's Lease.
    expect(statuses).toEqual([200, 409]);
    expect(message).toBe(fromA.status === 200 ? 'from A' : 'from B');
    expect((await history(id)).map(([rev, status]) => [rev, status])).toEqual([
      [1, 'SUPERSEDED'],
      [2, 'DEPLOYED'],
    ]);
  } else {
    // The Helm engine's upgrade can end before the other replica asks for the Lease: both apply, one after the other.
    expect(statuses).toEqual([200, 200]);
    expect(['from A', 'from B']).toContain(message);
    expect((await history(id)).map(([rev, status]) => [rev, status])).toEqual([
      [1, 'SUPERSEDED'],
      [2, 'SUPERSEDED'],
      [3, 'DEPLOYED'],
    ]);
  }
  expect((await callA('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
});

test('changes made one after the other on alternate replicas lose nothing', async () => {
  const id = await install('start');
  expect((await callA('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '', values: { first: 'a' } } })).status).toBe(200);
  expect((await callB('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '1.1.0', values: { second: 'b' } } })).status).toBe(200);
  expect((await callA('GET', `/releases/${id}`, { user: 'alice' })).json).toMatchObject({
    version: '1.1.0',
    values: { message: 'start', first: 'a', second: 'b' },
  });
  expect((await history(id)).map(([rev, status]) => [rev, status])).toEqual([
    [1, 'SUPERSEDED'],
    [2, 'SUPERSEDED'],
    [3, 'DEPLOYED'],
  ]);
  expect((await callB('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
});

test('reconciliation on another replica leaves an install in flight alone', async () => {
  // A third replica, composed in this process, whose reconciliation is called directly.
  const other = await startStore(env, { namespace: storeNamespace, deployNamespaces: [namespace] });
  try {
    const before = new Set((await records.list()).map((r) => r.id));
    proxyA.hold('everything');
    const installing = callA('POST', '/releases', { user: 'alice', body: { application: 'sample/hello', version: '1.0.0', namespace } });
    let id = '';
    try {
      await eventually('the install to take its Lease', async () => {
        const record = (await records.list()).find((r) => !before.has(r.id));
        if (record && (await leaseNames()).includes(leaseName(record.id))) id = record.id;
        return id || undefined;
      }, 30_000);
      // Tiller has not heard of it yet: but for the Lease, a pending record Tiller does not know is an install that never started.
      await expect(tiller.history(id)).rejects.toMatchObject({ code: 'NotFound' });
      const report = await other.store.reconcile();
      expect(report.actions.filter((action) => action.id === id)).toEqual([]);
      expect((await records.get(id))?.state).toBe('pending');
    } finally {
      proxyA.release();
    }
    expect((await installing).status).toBe(200);
    expect((await records.get(id))?.state).toBe('deployed');
    expect((await other.store.reconcile()).actions.filter((action) => action.id === id)).toEqual([]);
    expect((await callA('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
  } finally {
    await other.stop();
  }
});

test('reconciliation on another replica, run the moment an install has written its record, finds the Lease held', async () => {
  // A replica composed in this process whose record store runs the other replica's reconciliation right after each
  // record is created: the gap between the record's write and its Lease, if there were one.
  const other = await startStore(env, { namespace: storeNamespace, deployNamespaces: [namespace] });
  const reports: ReconcileReport[] = [];
  const gapped: ReleaseStore = Object.assign(Object.create(records) as ReleaseStore, {
    create: async (record: ReleaseRecord) => {
      const created = await records.create(record);
      reports.push(await other.store.reconcile());
      return created;
    },
  });
  const log = createLogger('silent');
  const releases = new ReleaseService({
    catalog: other.store.catalog,
    engine: tiller,
    store: gapped,
    access: { canSee: () => true, assertAdminGroupsAllowed: () => undefined, assertMayDeploy: async () => undefined },
    locks: new LeaseLocks({ api: leases, namespace: storeNamespace, holder: 'gap-replica', local: new InProcessLocks(), log }),
    resources: { read: async () => [] },
    log,
    audit: { record: () => undefined },
  });
  try {
    const alice = { id: 'alice', groups: [], kind: 'user' as const, source: 'static' };
    const { record } = await releases.install(alice, { application: 'sample/hello', version: '1.0.0', namespace, adminGroups: [], development: false, values: {} });
    expect(reports).toHaveLength(1);
    expect(reports[0]?.actions.filter((action) => action.id === record.id)).toEqual([]);
    expect((await records.get(record.id))?.state).toBe('deployed');
    expect((await tiller.history(record.id)).map((r) => r.version)).toEqual([1]);
    await releases.delete(alice, record.id);
  } finally {
    await other.stop();
  }
});

describe('a Lease left by a dead holder', () => {
  const plant = async (id: string, renewedSecondsAgo: number) => {
    const renewed = new V1MicroTime(Date.now() - renewedSecondsAgo * 1000);
    const body = {
      metadata: { name: leaseName(id) },
      spec: { holderIdentity: 'dead-replica-0000', leaseDurationSeconds: 30, acquireTime: renewed, renewTime: renewed, leaseTransitions: 0 },
    };
    try {
      await leases.createNamespacedLease({ namespace: storeNamespace, body });
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
      const current = await leases.readNamespacedLease({ name: leaseName(id), namespace: storeNamespace });
      await leases.replaceNamespacedLease({
        name: leaseName(id),
        namespace: storeNamespace,
        body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion } },
      });
    }
  };

  test('blocks changes until it expires; then a replica takes it over', async () => {
    const id = await install('start');
    await plant(id, 0);
    const blocked = await callB('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '', values: { message: 'blocked' } } });
    expect(blocked.status).toBe(409);
    expect((await callA('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(409);
    expect((await history(id)).length).toBe(1);

    // Renewed 31 s ago with a duration of 30 s: expired.
    await plant(id, 31);
    const taken = await callB('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '', values: { message: 'taken over' } } });
    expect(taken.status).toBe(200);
    expect(await tillerMessage(id)).toBe('taken over');
    expect(b.logs).toContainEqual(expect.objectContaining({ msg: 'taking over an expired release lease', releaseId: id, previousHolder: 'dead-replica-0000' }));
    expect(await leaseNames()).not.toContain(leaseName(id));
    expect((await callA('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
  });

  test('a replica killed in the middle of an upgrade leaves its Lease; once expired, the other replica carries on', async () => {
    const id = await install('start');
    const upgrade = callA('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '1.1.0', values: { message: 'interrupted' } } }).catch(() => undefined);
    for (const deadline = Date.now() + 10_000; !(await leaseNames()).includes(leaseName(id)); ) {
      if (Date.now() > deadline) throw new Error('the upgrade never took its Lease');
      await new Promise((r) => setTimeout(r, 10));
    }
    await a.kill();
    await upgrade;
    const left = await leases.readNamespacedLease({ name: leaseName(id), namespace: storeNamespace });
    expect(isHeld(left, Date.now())).toBe(true);
    expect((await callB('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '', values: { message: 'too early' } } })).status).toBe(409);

    // Tiller finishes whatever it was asked (the upgrade, if A got that far); then the Lease runs out
    // (its renewTime moved back rather than waiting 30 s).
    // Settled: the latest revision deployed, and no new one for 2 s (Tiller may not have stored the
    // upgrade's pending revision yet when A died).
    let seen = '';
    const settled = await eventually('Tiller to settle', async () => {
      const revisions = await history(id);
      const now = JSON.stringify(revisions);
      const stable = now === seen && revisions.at(-1)?.[1] === 'DEPLOYED';
      seen = now;
      if (!stable) await new Promise((r) => setTimeout(r, 1_500));
      return stable ? revisions.length : undefined;
    }, 30_000);
    const expired = new V1MicroTime(Date.now() - 31_000);
    await leases.replaceNamespacedLease({
      name: leaseName(id),
      namespace: storeNamespace,
      body: { metadata: { name: leaseName(id), resourceVersion: left.metadata?.resourceVersion }, spec: { ...left.spec, acquireTime: expired, renewTime: expired } },
    });
    const carried = await callB('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '', values: { message: 'carried on' } } });
    expect({ status: carried.status, body: carried.json }).toMatchObject({ status: 200 });
    expect(await tillerMessage(id)).toBe('carried on');
    const revisions = await history(id);
    expect(revisions.map(([, status]) => status)).toEqual([...Array<string>(settled).fill('SUPERSEDED'), 'DEPLOYED']);
    expect((await callB('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
  });
});

describe('LeaseLocks on the API server', () => {
  const log = createLogger('silent');
  const locks = (holder: string, durationSeconds = 30) => new LeaseLocks({ api: leases, namespace: storeNamespace, holder, durationSeconds, log });

  test('a held Lease is Conflict for another holder, and free again once released', async () => {
    const first = locks('holder-1');
    const second = locks('holder-2');
    let release!: () => void;
    const held = first.withLock('lock-test-a', () => new Promise<void>((resolve) => (release = resolve)));
    await eventually('the Lease', async () => ((await leaseNames()).includes(leaseName('lock-test-a')) ? true : undefined), 10_000);
    const lease = await leases.readNamespacedLease({ name: leaseName('lock-test-a'), namespace: storeNamespace });
    expect(lease.spec).toMatchObject({ holderIdentity: 'holder-1', leaseDurationSeconds: 30 });
    const refused = await second.withLock('lock-test-a', async () => 'ran').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AppStoreError);
    expect((refused as AppStoreError).code).toBe('Conflict');
    release();
    await held;
    expect(await leaseNames()).not.toContain(leaseName('lock-test-a'));
    expect(await second.withLock('lock-test-a', async () => 'ran')).toBe('ran');
  });

  test('a Lease is renewed while its holder works past the lease duration', async () => {
    const first = locks('holder-1', 2);
    const second = locks('holder-2', 2);
    const held = first.withLock('lock-test-b', () => new Promise((resolve) => setTimeout(resolve, 4_500)));
    await new Promise((r) => setTimeout(r, 3_000));
    const lease = await leases.readNamespacedLease({ name: leaseName('lock-test-b'), namespace: storeNamespace });
    expect(isHeld(lease, Date.now())).toBe(true);
    await expect(second.withLock('lock-test-b', async () => 'ran')).rejects.toMatchObject({ code: 'Conflict' });
    await held;
    expect(await second.withLock('lock-test-b', async () => 'ran')).toBe('ran');
  });

  test('close() gives back the Leases still held', async () => {
    const first = locks('holder-1');
    const held = first.withLock('lock-test-c', () => new Promise((resolve) => setTimeout(resolve, 1_000)));
    await eventually('the Lease', async () => ((await leaseNames()).includes(leaseName('lock-test-c')) ? true : undefined), 10_000);
    await first.close();
    expect(await leaseNames()).not.toContain(leaseName('lock-test-c'));
    await held;
  });
});
