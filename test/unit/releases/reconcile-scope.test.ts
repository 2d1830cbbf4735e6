/**
 * The short reconciliation pass (at start, and when the watch shows a record
 * left pending or deleting) looks at unsettled records only and does not ask
 * Tiller when there are none; the full pass still handles everything. And a
 * record seen unsettled plans one short pass, later, however many events come.
 */
import pino from 'pino';
import { Release } from '../../../gen/hapi/release/release.js';
import { reconcile } from '../../../src/releases/reconcile.js';
import type { ReleaseSummary } from '../../../src/releases/types.js';
import { UnsettledRecords } from '../../../src/releases/unsettled-records.js';
import type { ReleaseRecord, ReleaseStore } from '../../../src/releases/types.js';

const DEPLOYED = 1;
const log = pino({ level: 'silent' });

const record = (id: string, state: ReleaseRecord['state']): ReleaseRecord => ({
  id,
  owner: 'alice',
  application: 'sample/hello',
  version: '1.0.0',
  namespace: 'apps',
  adminGroups: [],
  development: false,
  values: {},
  state,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

function memoryStore(records: ReleaseRecord[]): ReleaseStore & { records: Map<string, ReleaseRecord> } {
  const map = new Map(records.map((r) => [r.id, r]));
  return {
    records: map,
    create: async (r) => (map.set(r.id, r), r),
    get: async (id) => map.get(id),
    list: async () => [...map.values()],
    summaries: async () => [...map.values()].map(({ id, owner, adminGroups, state, createdAt, updatedAt }) => ({ id, owner, adminGroups, state, createdAt, updatedAt })),
    read: async (ids) => ids.flatMap((id) => map.get(id) ?? []),
    countByState: async () => ({}),
    update: async (r) => (map.set(r.id, r), r),
    delete: async (id) => void map.delete(id),
    measure: () => ({ bytes: 0, limit: 1 }),
  };
}

function tiller(releases: Record<string, number>) {
  const calls = { list: 0 };
  return {
    calls,
    async list() {
      calls.list++;
      return Object.entries(releases).map(([name, code]) => Release.fromPartial({ name, info: { status: { code } } }));
    },
    async uninstall(name: string) {
      delete releases[name];
    },
  };
}

test('the short pass does not ask Tiller when no record is pending or deleting', async () => {
  const engine = tiller({ 'alice-a': DEPLOYED, 'helm-made': DEPLOYED });
  const report = await reconcile({ store: memoryStore([record('alice-a', 'deployed')]), engine, log, scope: 'unsettled' });
  expect(report).toEqual({ actions: [], failures: [] });
  expect(engine.calls.list).toBe(0);
});

test('the short pass completes a pending install and leaves deployed records to the full pass', async () => {
  const store = memoryStore([record('alice-a', 'pending'), record('alice-gone', 'deployed')]);
  const engine = tiller({ 'alice-a': DEPLOYED, 'helm-made': DEPLOYED });
  const short = await reconcile({ store, engine, log, scope: 'unsettled' });
  expect(short.actions).toEqual([{ id: 'alice-a', action: 'completed-install', tillerStatus: 'DEPLOYED' }]);
  expect(store.records.has('alice-gone')).toBe(true);

  const full = await reconcile({ store, engine, log });
  expect(full.actions).toEqual(
    expect.arrayContaining([
      { id: 'alice-gone', action: 'removed-vanished-release', tillerStatus: undefined },
      { id: 'helm-made', action: 'unmanaged-tiller-release', tillerStatus: 'DEPLOYED' },
    ]),
  );
});

test('records seen pending or deleting plan one short pass after the delay; deployed ones plan none', async () => {
  jest.useFakeTimers();
  try {
    let listener: (id: string, summary: ReleaseSummary | undefined) => void = () => undefined;
    let passes = 0;
    const unsettled = new UnsettledRecords({ onChange: (l) => (listener = l) }, async () => void passes++, log, 1000);
    const summary = (id: string, state: ReleaseRecord['state']) => ({ ...record(id, state) });
    listener('a', summary('a', 'deployed'));
    await jest.advanceTimersByTimeAsync(2000);
    expect(passes).toBe(0);
    listener('a', summary('a', 'pending'));
    listener('b', summary('b', 'deleting'));
    await jest.advanceTimersByTimeAsync(999);
    expect(passes).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(passes).toBe(1);
    unsettled.stop();
    listener('c', summary('c', 'pending'));
    await jest.advanceTimersByTimeAsync(5000);
    expect(passes).toBe(1);
  } finally {
    jest.useRealTimers();
  }
});
