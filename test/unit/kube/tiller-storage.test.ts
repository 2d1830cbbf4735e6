/**
 * When Tiller's stored releases are answered from the watch-fed index and
 * when the Secrets are listed instead: an index not synced, a release it does
 * not hold, a newest revision older than the record says exists, or one still
 * pending (the watch may be a moment behind what Tiller wrote).
 */
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { TillerIndex } from '../../../src/kube/tiller-index.js';
import { TillerSecretStorage } from '../../../src/kube/tiller-storage.js';
import { tillerSecret } from './tiller-fixtures.js';

/** The API server's Secrets of Tiller's namespace, answering label-selector lists as the API server would. */
function apiServer(secrets: V1Secret[]) {
  const selectors: string[] = [];
  const matches = (secret: V1Secret, selector: string) =>
    selector.split(',').every((term) => {
      const [key, value] = term.includes('!=') ? term.split('!=') : term.split('=');
      const label = secret.metadata?.labels?.[key!];
      return term.includes('!=') ? label !== value : label === value;
    });
  const core = {
    listNamespacedSecret: async ({ labelSelector }: { labelSelector: string }) => {
      selectors.push(labelSelector);
      return { items: secrets.filter((s) => matches(s, labelSelector)) };
    },
  } as unknown as CoreV1Api;
  return { core, selectors };
}

function setup(api: V1Secret[], held: V1Secret[], ready = true) {
  const index = new TillerIndex();
  for (const s of held) index.upsert(s);
  const server = apiServer(api);
  const storage = new TillerSecretStorage(server.core, 'kube-system', { ready, index });
  return { storage, selectors: server.selectors, index };
}

describe('TillerSecretStorage with a cache', () => {
  const v1 = tillerSecret('alpha', 1, 'SUPERSEDED', '10');
  const v2 = tillerSecret('alpha', 2, 'DEPLOYED', '12');

  it('answers latest, a revision and the history from memory when the index holds what the record says exists', async () => {
    const { storage, selectors } = setup([v1, v2], [v1, v2]);
    expect((await storage.latest('alpha', 2))?.version).toBe(2);
    expect((await storage.revision('alpha', 1))?.version).toBe(1);
    expect((await storage.history('alpha', 2))?.map((r) => r.version)).toEqual([2, 1]);
    expect(selectors).toEqual([]);
    expect(storage.counts).toEqual({ cached: 3, listed: 0 });
  });

  it('lists the Secrets while the watch is not synced', async () => {
    const { storage, selectors } = setup([v1, v2], [v1, v2], false);
    expect((await storage.latest('alpha'))?.version).toBe(2);
    expect(selectors).toEqual(['NAME=alpha,OWNER=TILLER,STATUS!=SUPERSEDED']);
  });

  it('lists the Secrets when the index holds an older revision than the record says exists', async () => {
    const { storage, selectors } = setup([v1, v2], [tillerSecret('alpha', 1, 'DEPLOYED', '9')]);
    expect((await storage.latest('alpha', 2))?.version).toBe(2);
    expect((await storage.history('alpha', 2))?.map((r) => r.info?.status?.code)).toHaveLength(2);
    expect(selectors).toHaveLength(2);
  });

  it('leaves the index to the watch: what it listed is not mixed into it', async () => {
    const { storage, selectors, index } = setup([v1, v2], []);
    expect((await storage.latest('alpha', 2))?.version).toBe(2);
    expect(index.revisions('alpha')).toEqual([]);
    expect((await storage.history('alpha', 2))?.map((r) => r.version)).toEqual([2, 1]);
    expect(selectors).toHaveLength(2);
  });

  it('lists the Secrets when the newest revision held is still pending (a change whose last write has not arrived)', async () => {
    const { storage, selectors } = setup([tillerSecret('alpha', 1, 'DEPLOYED', '21')], [tillerSecret('alpha', 1, 'PENDING_INSTALL', '20')]);
    expect((await storage.latest('alpha'))?.info?.Description).toBe('DEPLOYED 21');
    expect(selectors).toHaveLength(1);
  });

  it('lists the Secrets for a release it does not hold, and for a revision it does not hold', async () => {
    const { storage, selectors } = setup([v1, v2], [v2]);
    expect(await storage.latest('beta')).toBeUndefined();
    expect((await storage.revision('alpha', 1))?.version).toBe(1);
    expect(selectors).toEqual(['NAME=beta,OWNER=TILLER,STATUS!=SUPERSEDED', 'NAME=alpha,OWNER=TILLER,VERSION=1']);
  });

  it('answers a newer revision than the record knows (a change made outside the store) from memory', async () => {
    const v3 = tillerSecret('alpha', 3, 'DEPLOYED', '30');
    const { storage, selectors } = setup([v1, v2, v3], [v1, v2, v3]);
    expect((await storage.latest('alpha', 2))?.version).toBe(3);
    expect(selectors).toEqual([]);
  });
});
