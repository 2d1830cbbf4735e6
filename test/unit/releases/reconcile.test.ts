/**
 * Reconciliation handles each record on its own: a record it cannot handle
 * (a write refused, a call that hangs) is reported and counted, and never
 * stops or delays the repair of anyone else's; only a failing list fails
 * the pass. The store and Tiller here are in-memory doubles of the ports.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { Release } from '../../../gen/hapi/release/release.js';
import { AppStoreError } from '../../../src/domain/errors.js';
import { InProcessLocks } from '../../../src/releases/in-process-locks.js';
import { reconcile } from '../../../src/releases/reconcile.js';
import type { TenancyCheck } from '../../../src/releases/tenancy-check.js';
import type { ReleaseRecord, ReleaseStore, ReleaseSummary } from '../../../src/releases/types.js';

const DEPLOYED = 1;

/** An in-memory double of the record store; `fail` and `hang` make chosen calls misbehave. */
class MemoryStore implements ReleaseStore {
  readonly records = new Map<string, ReleaseRecord>();
  readonly fail = new Map<string, Error>();
  readonly hang = new Set<string>();
  failList?: Error;

  async create(record: ReleaseRecord) {
    this.records.set(record.id, record);
    return record;
  }
  async get(id: string) {
    if (this.hang.has(`get:${id}`)) await new Promise(() => undefined);
    return this.records.get(id);
  }
  async list() {
    return [...this.records.values()];
  }
  async summaries(): Promise<ReleaseSummary[]> {
    if (this.failList) throw this.failList;
    return [...this.records.values()].map(({ id, owner, adminGroups, state, createdAt, updatedAt }) => ({ id, owner, adminGroups, state, createdAt, updatedAt }));
  }
  async read(ids: readonly string[]) {
    return ids.flatMap((id) => this.records.get(id) ?? []);
  }
  async countByState() {
    return {};
  }
  async update(record: ReleaseRecord) {
    const failure = this.fail.get(`update:${record.id}`);
    if (failure) throw failure;
    this.records.set(record.id, record);
    return record;
  }
  async delete(id: string) {
    this.records.delete(id);
  }
  measure(record: ReleaseRecord) {
    return { bytes: JSON.stringify(record).length, limit: 1024 * 1024 };
  }
}

/** Tiller's releases as a double: name → status code. */
function tiller(releases: Record<string, number>, options: { failList?: Error } = {}) {
  const uninstalled: string[] = [];
  return {
    uninstalled,
    async list() {
      if (options.failList) throw options.failList;
      return Object.entries(releases).map(([name, code]) => Release.fromPartial({ name, info: { status: { code } } }));
    },
    async uninstall(name: string, options?: { disableHooks?: boolean }) {
      uninstalled.push(options?.disableHooks ? `${name} (without hooks)` : name);
      delete releases[name];
    },
  };
}

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: pino({ level: 'info' }, stream) };
}

const record = (id: string, state: ReleaseRecord['state'], values: Record<string, unknown> = {}): ReleaseRecord => ({
  id,
  owner: id.split('-')[0] ?? 'someone',
  application: 'sample/hello',
  version: '1.0.0',
  namespace: 'apps',
  adminGroups: [],
  development: false,
  values,
  state,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

test('a record whose write is refused is reported, and another user\'s pending install is still completed in the same pass', async () => {
  const store = new MemoryStore();
  await store.create(record('alice-a', 'pending', { password: 'hunter2' }));
  await store.create(record('bob-b', 'pending'));
  store.fail.set('update:alice-a', new AppStoreError('Internal', `the Kubernetes API server refused (update release record): Secret is invalid: data: Too long${'!'.repeat(2000)}`));
  const { lines, log } = capture();

  const report = await reconcile({ store, engine: tiller({ 'alice-a': DEPLOYED, 'bob-b': DEPLOYED }), log, locks: new InProcessLocks() });

  expect(report.actions).toEqual([{ id: 'bob-b', action: 'completed-install', tillerStatus: 'DEPLOYED' }]);
  expect(store.records.get('bob-b')?.state).toBe('deployed');
  expect(report.failures).toEqual([{ id: 'alice-a', action: 'completed-install', error: expect.stringMatching(/^the Kubernetes API server refused/), timedOut: false }]);
  expect(report.failures[0]!.error.length).toBeLessThanOrEqual(301);
  const warning = lines.find((l) => l.releaseId === 'alice-a');
  expect(warning).toMatchObject({ level: 40, action: 'completed-install', timedOut: false });
  expect(JSON.stringify(lines)).not.toContain('hunter2');
});

test('a failed record is tried again on the next pass', async () => {
  const store = new MemoryStore();
  await store.create(record('alice-a', 'pending'));
  store.fail.set('update:alice-a', new Error('refused'));
  const engine = tiller({ 'alice-a': DEPLOYED });
  const { log } = capture();
  expect((await reconcile({ store, engine, log })).failures).toHaveLength(1);
  store.fail.clear();
  const again = await reconcile({ store, engine, log });
  expect(again).toEqual({ actions: [{ id: 'alice-a', action: 'completed-install', tillerStatus: 'DEPLOYED' }], failures: [] });
});

test('a record that hangs is given up on after its time limit, and does not hold the others', async () => {
  const store = new MemoryStore();
  await store.create(record('alice-a', 'deleting'));
  for (const user of ['bob', 'carol', 'dave', 'erin', 'frank']) await store.create(record(`${user}-x`, 'pending'));
  store.hang.add('get:alice-a');
  const { log } = capture();
  const started = Date.now();

  const report = await reconcile({ store, engine: tiller({}), log, locks: new InProcessLocks(), concurrency: 2, recordTimeoutMs: 200 });

  expect(Date.now() - started).toBeLessThan(2000);
  expect(report.actions.map((a) => a.id).sort()).toEqual(['bob-x', 'carol-x', 'dave-x', 'erin-x', 'frank-x']);
  expect(report.failures).toEqual([{ id: 'alice-a', action: 'read', error: expect.stringMatching(/took longer than 200 ms/), timedOut: true }]);
});

test('records are handled a few at a time, not one after another and not all at once', async () => {
  const store = new MemoryStore();
  for (let i = 0; i < 12; i++) await store.create(record(`user${i}-r`, 'deleting'));
  let inFlight = 0;
  let most = 0;
  const get = store.get.bind(store);
  store.get = async (id: string) => {
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 20));
    inFlight--;
    return get(id);
  };
  const { log } = capture();
  const report = await reconcile({ store, engine: tiller({}), log, concurrency: 3 });
  expect(report.actions).toHaveLength(12);
  expect(most).toBe(3);
});

test('a busy record (its lock held by a change in flight) is skipped without being counted as a failure', async () => {
  const store = new MemoryStore();
  await store.create(record('alice-a', 'pending'));
  const locks = new InProcessLocks();
  const { log } = capture();
  let report: Awaited<ReturnType<typeof reconcile>> | undefined;
  await locks.withLock('alice-a', async () => {
    report = await reconcile({ store, engine: tiller({}), log, locks });
  });
  expect(report).toEqual({ actions: [], failures: [] });
  expect(store.records.has('alice-a')).toBe(true);
});

test('a record changed since it was listed is left alone', async () => {
  const store = new MemoryStore();
  await store.create(record('alice-a', 'pending'));
  const summaries = store.summaries.bind(store);
  store.summaries = async () => {
    const listed = await summaries();
    await store.update({ ...record('alice-a', 'deployed'), updatedAt: '2026-01-02T00:00:00.000Z' });
    return listed;
  };
  const { log } = capture();
  expect(await reconcile({ store, engine: tiller({ 'alice-a': DEPLOYED }), log, locks: new InProcessLocks() })).toEqual({ actions: [], failures: [] });
});

test('a store or Tiller that cannot list fails the whole pass: that is an outage, not a bad record', async () => {
  const store = new MemoryStore();
  await store.create(record('alice-a', 'pending'));
  const { log } = capture();
  await expect(reconcile({ store, engine: tiller({}, { failList: new AppStoreError('Unavailable', 'Tiller is unavailable') }), log })).rejects.toThrow(
    /Tiller is unavailable/,
  );
  store.failList = new AppStoreError('Unavailable', 'the Kubernetes API server is unavailable');
  await expect(reconcile({ store, engine: tiller({}), log })).rejects.toThrow(/API server is unavailable/);
  expect(store.records.has('alice-a')).toBe(true);
});

test('a delete reconciliation finishes is purged as a delete is: without the delete hooks when they would leave the namespace', async () => {
  const store = new MemoryStore();
  await store.create(record('alice-a', 'deleting'));
  await store.create(record('bob-b', 'deleting'));
  const engine = tiller({ 'alice-a': DEPLOYED, 'bob-b': DEPLOYED });
  const hooks = {
    'alice-a': [{ name: 'cleaner', manifest: 'kind: Job\nmetadata:\n  namespace: kube-system\n' }],
    'bob-b': [{ name: 'cleaner', manifest: 'kind: Job\n' }],
  };
  const tenancy: Pick<TenancyCheck, 'offences'> = {
    offences: async (release) =>
      release.hooks.some((h) => h.manifest.includes('kube-system'))
        ? [{ kind: 'Job', name: 'cleaner', namespace: 'kube-system', source: 'hook cleaner', reason: 'outside the namespace' }]
        : [],
  };
  const stored = { latest: async (id: string) => Release.fromPartial({ name: id, hooks: hooks[id as keyof typeof hooks] }) };
  const { log } = capture();
  const report = await reconcile({ store, engine, log, tenancy, stored });
  expect(report.failures).toEqual([]);
  expect(engine.uninstalled.sort()).toEqual(['alice-a (without hooks)', 'bob-b']);
  expect(store.records.size).toBe(0);
});

test('a record whose client cannot be deleted yet is kept as a delete keeps it: deleting, its client delete-pending', async () => {
  const store = new MemoryStore();
  const client = { provisioner: 'oidc-registration', clientId: 'c1', location: '', owner: '', scopes: [], redirectUris: [], secretName: 's', state: 'active' } as const;
  await store.create({ ...record('alice-a', 'pending'), provisioned: client });
  const removals: string[] = [];
  const clients = { remove: async (id: string) => { removals.push(id); throw new AppStoreError('Unavailable', 'the provider is down'); } };
  const { log } = capture();
  const report = await reconcile({ store, engine: tiller({}), log, clients });
  expect(report.actions).toEqual([{ id: 'alice-a', action: 'client-removal-pending', tillerStatus: undefined }]);
  expect(store.records.get('alice-a')).toMatchObject({ state: 'deleting', provisioned: { state: 'delete-pending' } });
  // Next pass: still down; nothing is written again for a record that is so already.
  let writes = 0;
  const update = store.update.bind(store);
  store.update = async (r) => { writes++; return update(r); };
  await reconcile({ store, engine: tiller({}), log, clients });
  expect([removals, writes]).toEqual([['alice-a', 'alice-a'], 0]);
});
