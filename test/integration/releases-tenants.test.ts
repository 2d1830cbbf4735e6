/**
 * One tenant cannot break the others, on the real API server and Tiller:
 * a record whose write the API server refuses does not stop reconciliation
 * from repairing another user's half-done install in the same pass; /metrics
 * counts releases from metadata, without reading anyone's values; GET
 * /releases answers as it did when it read every record in full, records
 * written by the previous version included.
 */
import { randomBytes } from 'node:crypto';
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { loadChartArchive } from '../../src/charts/index.js';
import { SecretReleaseStore } from '../../src/kube/release-store.js';
import type { ReleaseRecord } from '../../src/releases/types.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, eventually, kubeClients } from './kube.js';
import { api, startStore, USERS, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-tenants';
const storeNamespace = 'appstore-tenants';
/** The API server's limit on the data of one Secret. */
const MAX_SECRET_BYTES = 1024 * 1024;
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
  await running?.stop();
});

const name = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

let clock = Date.parse('2026-01-01T00:00:00.000Z');
const record = (id: string, owner: string, state: ReleaseRecord['state'], extra: Partial<ReleaseRecord> = {}): ReleaseRecord => {
  const at = new Date((clock += 1000)).toISOString();
  return { id, owner, application: 'sample/hello', version: '1.0.0', namespace, adminGroups: [], development: false, values: {}, state, createdAt: at, updatedAt: at, ...extra };
};

/** A record as the previous version of the store wrote it: labels and the JSON document, no summary annotation. */
async function writeAsPreviousVersion(r: ReleaseRecord): Promise<void> {
  await kube.core.createNamespacedSecret({
    namespace: storeNamespace,
    body: {
      metadata: {
        name: `appstore-release-${r.id}`,
        labels: { 'app.kubernetes.io/managed-by': 'appstore', 'appstore.io/release': r.id, 'appstore.io/state': r.state },
      },
      type: 'appstore.io/release.v1',
      data: { record: Buffer.from(JSON.stringify(r)).toString('base64') },
    },
  });
}

async function removeAll(): Promise<void> {
  for (const r of await records.summaries()) await records.delete(r.id);
}

async function tillerInstall(id: string): Promise<void> {
  const archive = Buffer.from(await (await fetch(`${env.repoUrl}/hello-1.0.0.tgz`)).arrayBuffer());
  await running.store.tiller.install({ chart: await loadChartArchive(archive), name: id, namespace });
}

/** The value of one sample of /metrics, by name and labels. */
async function metric(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = (await call('GET', '/metrics')).text;
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${wanted}} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

/** The core API, recording what the API server sent back for every list and read of Secrets. */
function recordingCore(): { core: CoreV1Api; listed: V1Secret[]; reads: string[] } {
  const listed: V1Secret[] = [];
  const reads: string[] = [];
  const core = new Proxy(kube.core, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop === 'listNamespacedSecret') {
        return async (...args: Parameters<CoreV1Api['listNamespacedSecret']>) => {
          const list = await target.listNamespacedSecret(...args);
          listed.push(...list.items);
          return list;
        };
      }
      if (prop === 'readNamespacedSecret') {
        return async (...args: Parameters<CoreV1Api['readNamespacedSecret']>) => {
          reads.push(args[0].name);
          return target.readNamespacedSecret(...args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { core, listed, reads };
}

describe('reconciliation', () => {
  afterEach(removeAll);

  test('a record whose update the API server refuses does not stop another user\'s install from being completed in the same pass', async () => {
    // Listed (and, before, handled) first: its name sorts before the other's.
    const refused = name('a-refused');
    const repaired = name('z-repaired');
    await tillerInstall(refused);
    await tillerInstall(repaired);
    // Bob's install that Tiller finished before the store could record it.
    await records.create(record(repaired, 'bob', 'pending'));
    // Alice's, as the previous version wrote it, exactly at the Secret size limit: marked deployed, it is one byte
    // longer ("pending" → "deployed"), and the API server refuses the write.
    const unpadded = record(refused, 'alice', 'pending', { values: { pad: '' } });
    const padding = MAX_SECRET_BYTES - Buffer.byteLength(JSON.stringify(unpadded));
    const atLimit = { ...unpadded, values: { pad: 'x'.repeat(padding) } };
    expect(Buffer.byteLength(JSON.stringify(atLimit))).toBe(MAX_SECRET_BYTES);
    await writeAsPreviousVersion(atLimit);
    const failuresBefore = (await metric('appstore_reconcile_failures_total', { action: 'completed-install' })) ?? 0;

    try {
      const report = await running.store.reconcile();

      expect(report.actions).toContainEqual({ id: repaired, action: 'completed-install', tillerStatus: 'DEPLOYED' });
      expect((await records.get(repaired))?.state).toBe('deployed');
      expect(report.failures).toEqual([
        { id: refused, action: 'completed-install', error: expect.stringMatching(/refused \(update release record\).*422/), timedOut: false },
      ]);
      expect(report.failures[0]!.error).not.toContain('xxxx');
      expect((await records.get(refused))?.state).toBe('pending'); // left as it was, tried again next pass
      expect(await metric('appstore_reconcile_failures_total', { action: 'completed-install' })).toBe(failuresBefore + 1);
      expect(await metric('appstore_reconcile_actions_total', { action: 'completed-install' })).toBeGreaterThanOrEqual(1);

      const again = await running.store.reconcile();
      expect(again.failures.map((f) => f.id)).toEqual([refused]);
      expect(await metric('appstore_reconcile_failures_total', { action: 'completed-install' })).toBe(failuresBefore + 2);
    } finally {
      await running.store.tiller.uninstall(refused, { purge: true }).catch(() => undefined);
      await running.store.tiller.uninstall(repaired, { purge: true }).catch(() => undefined);
    }
  });
});

describe('reading records', () => {
  afterEach(removeAll);

  test('/metrics counts records from their metadata: a record whose payload is corrupt is counted, and no values are read', async () => {
    const ids = [name('alice'), name('bob'), name('carol')];
    for (const [i, id] of ids.entries()) await records.create(record(id, ['alice', 'bob', 'carol'][i]!, 'deployed', { values: { big: 'v'.repeat(200_000) } }));
    const corrupt = name('dave');
    await records.create(record(corrupt, 'dave', 'deployed'));
    const secret = await kube.core.readNamespacedSecret({ name: `appstore-release-${corrupt}`, namespace: storeNamespace });
    await kube.core.replaceNamespacedSecret({
      name: `appstore-release-${corrupt}`,
      namespace: storeNamespace,
      body: { ...secret, data: { record: Buffer.from('{"id": "truncat').toString('base64') } },
    });

    await eventually('/metrics to count all four records', async () => ((await metric('appstore_releases', { state: 'deployed' })) === 4 ? true : undefined), 15_000);

    const { core, listed, reads } = recordingCore();
    const store = new SecretReleaseStore(core, storeNamespace);
    expect(await store.countByState()).toEqual({ deployed: 4 });
    const summaries = await store.summaries();
    expect(summaries.map((s) => [s.id, s.owner]).sort()).toEqual([...ids, corrupt].map((id) => [id, id.split('-')[0]]).sort());
    expect(listed.length).toBeGreaterThanOrEqual(8);
    expect(listed.filter((s) => s.data !== undefined)).toEqual([]); // the API server sent metadata only
    expect(reads).toEqual([]);
  });

  test('GET /releases answers as when every record was read in full, records of the previous version included', async () => {
    const shared = { adminGroups: [USERS.bob.groups[0]] };
    const mine = [
      record(name('alice'), 'alice', 'deployed', { values: { message: 'one' } }),
      record(name('alice'), 'alice', 'deployed', { ...shared, values: { message: 'shared', big: 'v'.repeat(100_000) } }),
      record(name('alice'), 'alice', 'deleting'),
      record(name('bob'), 'bob', 'deployed', { values: { nested: { a: [1, 2] } } }),
      record(name('carol'), 'carol', 'pending'),
    ];
    for (const r of mine) await records.create(r);
    const older = [record(name('bob'), 'bob', 'deployed', { values: { from: 'previous version' } }), record(name('alice'), 'alice', 'deployed', shared)];
    for (const r of older) await writeAsPreviousVersion(r);

    const everything = await records.list(); // every record in full: how GET /releases answered before
    for (const user of ['alice', 'bob', 'carol'] as const) {
      const principal: { id: string; groups: readonly string[] } = USERS[user];
      const expected = everything
        .filter((r) => r.state !== 'deleting' && (r.owner === principal.id || r.adminGroups.some((g) => principal.groups.includes(g))))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
      const res = await call('GET', '/releases', { user });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-total-count')).toBe(String(expected.length));
      const listed = res.json as unknown as Array<{ id: string; owner: string; values: unknown }>;
      expect(listed.map((r) => [r.id, r.owner, r.values])).toEqual(
        expected.map((r) => [r.id, r.owner, r.values]),
      );
      const page = await call('GET', '/releases?limit=1&offset=1', { user });
      expect(page.headers.get('x-total-count')).toBe(String(expected.length));
      expect((page.json as unknown as Array<{ id: string }>).map((r) => r.id)).toEqual(expected.slice(1, 2).map((r) => r.id));
    }
    expect((await call('GET', '/releases', { user: 'bob' })).json).toHaveLength(4); // his two, and alice's two shared with his group
  });
});
