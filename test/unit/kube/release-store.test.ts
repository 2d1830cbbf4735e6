/**
 * The record store's optimistic concurrency, against a double of the Secrets API that keeps resourceVersions as the
 * API server does (a replace must name the current one, or it is a 409). The real API server is exercised by the
 * integration tests (faults-concurrency).
 */
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { SecretReleaseStore } from '../../../src/kube/release-store.js';
import { AppStoreError } from '../../../src/domain/errors.js';
import type { ReleaseRecord } from '../../../src/releases/types.js';

class SecretsDouble {
  readonly secrets = new Map<string, V1Secret>();
  readonly calls: string[] = [];
  private version = 100;

  async createNamespacedSecret({ body }: { body: V1Secret }) {
    this.calls.push('create');
    const stored = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.version) } };
    this.secrets.set(body.metadata!.name!, stored);
    return stored;
  }
  async readNamespacedSecret({ name }: { name: string }) {
    this.calls.push('read');
    const found = this.secrets.get(name);
    if (!found) throw Object.assign(new Error('not found'), { code: 404 });
    return found;
  }
  async replaceNamespacedSecret({ name, body }: { name: string; body: V1Secret }) {
    this.calls.push('replace');
    const current = this.secrets.get(name);
    if (!current) throw Object.assign(new Error('not found'), { code: 404 });
    if (body.metadata?.resourceVersion !== current.metadata?.resourceVersion) throw Object.assign(new Error('conflict'), { code: 409 });
    const stored = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.version) } };
    this.secrets.set(name, stored);
    return stored;
  }
}

const record: ReleaseRecord = {
  id: 'wise-silver-ibis',
  owner: 'alice',
  application: 'sample/hello',
  version: '1.0.0',
  namespace: 'apps',
  adminGroups: [],
  development: false,
  values: { storedVersion: 'a value, not the version' },
  state: 'pending',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

const setup = () => {
  const api = new SecretsDouble();
  return { api, store: new SecretReleaseStore(api as unknown as CoreV1Api, 'appstore') };
};

test('an update sends the version its record was read at, without reading again', async () => {
  const { api, store } = setup();
  const created = await store.create(record);
  const read = await store.get(record.id);
  expect(read?.storedVersion).toBe(created.storedVersion);
  api.calls.length = 0;
  const updated = await store.update({ ...read!, state: 'deployed' });
  expect(api.calls).toEqual(['replace']);
  expect(updated.storedVersion).not.toBe(read!.storedVersion);
  // The version is the Secret's, not kept in the record; a key of that name in the values is the user's.
  const kept = JSON.parse(Buffer.from(api.secrets.get(`appstore-release-${record.id}`)?.data?.record ?? '', 'base64').toString('utf8')) as Record<string, unknown>;
  expect(kept.storedVersion).toBeUndefined();
  expect(kept.values).toEqual({ storedVersion: 'a value, not the version' });
  // The record answered carries the new version: a second update in a row works.
  await expect(store.update({ ...updated, state: 'deleting' })).resolves.toMatchObject({ state: 'deleting' });
});

test('a change made since the record was read is a Conflict, never overwritten', async () => {
  const { store } = setup();
  await store.create(record);
  const mine = (await store.get(record.id))!;
  const theirs = (await store.get(record.id))!;
  await store.update({ ...theirs, values: { theirs: true } });
  const err = await store.update({ ...mine, values: { mine: true } }).catch((e: unknown) => AppStoreError.from(e));
  expect(err).toMatchObject({ code: 'Conflict' });
  expect((await store.get(record.id))?.values).toEqual({ theirs: true });
});
