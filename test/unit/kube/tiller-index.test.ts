/**
 * Tiller's stored releases held in memory: found by name and revision,
 * decoded when read and then kept (bounded), and ordered by resourceVersion
 * whichever way the watch, relists and this process's own writes cross.
 */
import { TillerIndex } from '../../../src/kube/tiller-index.js';
import { tillerSecret } from './tiller-fixtures.js';

const descriptions = (index: TillerIndex, name: string) => index.revisions(name).map((r) => index.release(name, r)?.info?.Description);

describe('TillerIndex', () => {
  it('finds a release\'s revisions by NAME and VERSION, newest first, and no other release\'s', () => {
    const index = new TillerIndex();
    index.upsert(tillerSecret('alpha', 1, 'SUPERSEDED', '10'));
    index.upsert(tillerSecret('alpha', 2, 'DEPLOYED', '12'));
    index.upsert(tillerSecret('beta', 1, 'DEPLOYED', '11'));
    expect(index.revisions('alpha')).toEqual([2, 1]);
    expect(index.release('alpha', 2)?.version).toBe(2);
    expect(index.statusLabel('alpha', 1)).toBe('SUPERSEDED');
    expect(index.revisions('gamma')).toEqual([]);
    expect(index.release('gamma', 1)).toBeUndefined();
    expect(index.size).toBe(3);
  });

  it('leaves out Secrets that are not Tiller\'s stored releases', () => {
    const index = new TillerIndex();
    const other = tillerSecret('alpha', 1, 'DEPLOYED', '10');
    index.upsert({ ...other, metadata: { ...other.metadata, labels: { ...other.metadata?.labels, OWNER: 'someone' } } });
    index.upsert({ ...tillerSecret('beta', 1, 'DEPLOYED', '11'), data: {} });
    expect(index.size).toBe(0);
  });

  it('never lets an older resourceVersion replace a newer one', () => {
    const index = new TillerIndex();
    index.upsert(tillerSecret('alpha', 1, 'DEPLOYED', '20'));
    index.upsert(tillerSecret('alpha', 1, 'PENDING_INSTALL', '19'));
    expect(index.statusLabel('alpha', 1)).toBe('DEPLOYED');
    expect(index.release('alpha', 1)?.info?.Description).toBe('DEPLOYED 20');
  });

  it('decodes a changed Secret afresh, and keeps decoding once per version', () => {
    const index = new TillerIndex();
    index.upsert(tillerSecret('alpha', 1, 'PENDING_INSTALL', '5'));
    const first = index.release('alpha', 1);
    expect(index.release('alpha', 1)).toBe(first);
    index.upsert(tillerSecret('alpha', 1, 'DEPLOYED', '6'));
    expect(index.release('alpha', 1)?.info?.Description).toBe('DEPLOYED 6');
  });

  it('keeps no more decoded releases than its byte budget', () => {
    const index = new TillerIndex({ maxDecodedBytes: 200 });
    for (let r = 1; r <= 20; r++) index.upsert(tillerSecret('alpha', r, 'SUPERSEDED', String(r)));
    expect(descriptions(index, 'alpha')).toHaveLength(20);
    expect(index.decodedBytes).toBeGreaterThan(0);
    expect(index.decodedBytes).toBeLessThanOrEqual(200);
  });

  it('does not bring back a Secret the watch deleted when an older answer arrives after the deletion', () => {
    const index = new TillerIndex();
    index.upsert(tillerSecret('alpha', 1, 'DEPLOYED', '30'));
    index.remove(tillerSecret('alpha', 1, 'DEPLOYED', '32'));
    index.upsert(tillerSecret('alpha', 1, 'FAILED', '31'));
    expect(index.revisions('alpha')).toEqual([]);
    // Made again later (a new install of the name): a newer version is taken.
    index.upsert(tillerSecret('alpha', 1, 'DEPLOYED', '40', 'new-uid'));
    expect(index.revisions('alpha')).toEqual([1]);
  });

  it('ignores a deletion older than what it holds', () => {
    const index = new TillerIndex();
    index.upsert(tillerSecret('alpha', 1, 'DEPLOYED', '30'));
    index.remove(tillerSecret('alpha', 1, 'DEPLOYED', '29'));
    expect(index.revisions('alpha')).toEqual([1]);
  });

  it('takes a relist as the truth, except for what was written after it', () => {
    const index = new TillerIndex();
    index.upsert(tillerSecret('alpha', 1, 'DEPLOYED', '10'));
    index.upsert(tillerSecret('beta', 1, 'DEPLOYED', '11'));
    // Written by this process after the list was taken (its answer arrived first).
    index.upsert(tillerSecret('gamma', 1, 'DEPLOYED', '60'));
    index.replace([tillerSecret('alpha', 1, 'SUPERSEDED', '15'), tillerSecret('alpha', 2, 'DEPLOYED', '16')], '50');
    expect(index.revisions('alpha')).toEqual([2, 1]);
    expect(index.statusLabel('alpha', 1)).toBe('SUPERSEDED');
    expect(index.revisions('beta')).toEqual([]);
    expect(index.revisions('gamma')).toEqual([1]);
  });
});
