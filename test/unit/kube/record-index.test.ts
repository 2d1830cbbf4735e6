/**
 * The in-memory index of release records: a caller's releases by owner and
 * group, counts by state, and the ordering of what the watch and this
 * process's own writes report (an older resourceVersion never wins).
 */
import type { V1Secret } from '@kubernetes/client-node';
import { RecordIndex } from '../../../src/kube/record-index.js';
import { parseRecord, recordSecret } from '../../../src/kube/release-store.js';
import type { ReleaseRecord } from '../../../src/releases/types.js';

const record = (id: string, over: Partial<ReleaseRecord> = {}): ReleaseRecord => ({
  id,
  owner: 'alice',
  application: 'sample/hello',
  version: '1.0.0',
  namespace: 'ns',
  adminGroups: [],
  development: false,
  values: { greeting: id },
  state: 'deployed',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  ...over,
});

const secret = (r: ReleaseRecord, resourceVersion: string): V1Secret => {
  const s = recordSecret(r, 'store');
  return { ...s, metadata: { ...s.metadata, resourceVersion } };
};

const ids = (summaries: ReadonlyArray<{ id: string }>) => summaries.map((s) => s.id).sort();

describe('RecordIndex', () => {
  let index: RecordIndex;
  beforeEach(() => {
    index = new RecordIndex(parseRecord);
  });

  it('answers a caller the records they own or share a group of, and no others', () => {
    index.upsert(secret(record('a1'), '1'));
    index.upsert(secret(record('b1', { owner: 'bob', adminGroups: ['g:lab'] }), '2'));
    index.upsert(secret(record('c1', { owner: 'carol', adminGroups: ['g:other'] }), '3'));
    expect(ids(index.summariesOf('alice', ['g:lab']))).toEqual(['a1', 'b1']);
    expect(ids(index.summariesOf('dave', []))).toEqual([]);
    // An empty owner is nobody's: the access rule never matches it.
    expect(ids(index.summariesOf('', ['g:other']))).toEqual(['c1']);
  });

  it('moves a record between owners, groups and states when it changes', () => {
    index.upsert(secret(record('a1', { state: 'pending', adminGroups: ['g:lab'] }), '1'));
    expect(index.countByState()).toEqual({ pending: 1 });
    index.upsert(secret(record('a1', { owner: 'bob', state: 'deployed' }), '2'));
    expect(index.countByState()).toEqual({ deployed: 1 });
    expect(ids(index.summariesOf('alice', ['g:lab']))).toEqual([]);
    expect(ids(index.summariesOf('bob', []))).toEqual(['a1']);
  });

  it('keeps its own newer write when a delayed watch event of an older version arrives', () => {
    index.upsert(secret(record('a1', { state: 'deployed' }), '7'));
    index.upsert(secret(record('a1', { state: 'pending' }), '5'));
    expect(index.record('a1')?.state).toBe('deployed');
    expect(index.countByState()).toEqual({ deployed: 1 });
  });

  it('does not bring back a record it deleted when an event from before the delete arrives', () => {
    index.upsert(secret(record('a1'), '7'));
    index.remove('a1');
    index.upsert(secret(record('a1'), '7'));
    expect(index.record('a1')).toBeUndefined();
    // A record made again under the same id after the delete is newer, and is taken.
    index.upsert(secret(record('a1', { owner: 'bob' }), '9'));
    expect(index.record('a1')?.owner).toBe('bob');
  });

  it('ignores a watch delete older than what it knows (the record was made again since)', () => {
    index.upsert(secret(record('a1'), '9'));
    index.remove('a1', secret(record('a1'), '8'));
    expect(index.record('a1')).toBeDefined();
    index.remove('a1', secret(record('a1'), '10'));
    expect(index.record('a1')).toBeUndefined();
  });

  it('drops on a relist what the list lacks, except what was written after the list was taken', () => {
    index.upsert(secret(record('gone'), '3'));
    index.upsert(secret(record('fresh'), '12'));
    index.replace([secret(record('kept'), '4')], '10');
    expect(ids(index.summaries())).toEqual(['fresh', 'kept']);
    expect(index.countByState()).toEqual({ deployed: 2 });
  });

  it('reads a record written before summaries existed from its data', () => {
    const old = secret(record('old', { owner: 'bob' }), '1');
    delete old.metadata!.annotations;
    index.upsert(old);
    expect(ids(index.summariesOf('bob', []))).toEqual(['old']);
  });

  it('tells its listeners of each change, and of a removal with no summary', () => {
    const seen: Array<[string, string | undefined]> = [];
    index.onChange((id, summary) => seen.push([id, summary?.state]));
    index.upsert(secret(record('a1', { state: 'pending' }), '1'));
    index.remove('a1');
    expect(seen).toEqual([
      ['a1', 'pending'],
      ['a1', undefined],
    ]);
  });
});
