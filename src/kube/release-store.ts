/**
 * Release records as Secrets in the store's own namespace (values may hold
 * secrets), one per release, labelled app.kubernetes.io/managed-by=appstore.
 * A record read carries its Secret's resourceVersion (storedVersion) and an
 * update sends it back without reading again, so a change made in between,
 * by another request or another replica, is a Conflict (409) instead of
 * being overwritten.
 *
 * The record itself is one JSON document (data.record), as every earlier
 * version wrote it, so that records stay readable both ways across an
 * upgrade; its summary (owner, adminGroups, dates, state) is repeated in
 * the metadata (release-summary.ts) so that lists and counts read metadata
 * only, and values are decoded only for the records asked for.
 */
import { setHeaderOptions, type CoreV1Api, type V1ObjectMeta, type V1Secret } from '@kubernetes/client-node';
import pLimit from 'p-limit';
import type { ReleaseRecord, ReleaseStore, ReleaseSummary } from '../releases/types.js';
import { AppStoreError } from '../domain/errors.js';
import { fromKubeError, statusOf } from './kube-errors.js';
import type { RecordCache } from './record-cache.js';
import { MANAGED_BY, recordMetadata, releaseIdOf, secretName, STATE_LABEL, summaryOfMetadata, summaryOfRecord } from './release-summary.js';

const SECRET_TYPE = 'appstore.io/release.v1';
const RECORD_KEY = 'record';
/** Kubernetes' limit on a Secret's data (keys and decoded values). */
const MAX_SECRET_BYTES = 1024 * 1024;
/** Room for what a record gains after it is measured (a provisioned client, a longer timestamp). */
const RECORD_MARGIN_BYTES = 64 * 1024;
/** The API server answers with each object's metadata only (no data): a list costs the same whatever the values weigh. */
const METADATA_ONLY = setHeaderOptions('Accept', 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
/** Records read one by one at most this many at a time... */
const READ_CONCURRENCY = 8;
/** ...and above this many, one full list is cheaper than a read each (only the records asked for are decoded). */
const READ_ONE_BY_ONE_UP_TO = 32;

/** How a read finds a record: `cached` from the watch-fed cache while it is synced, `api` always from the API server. */
export type RecordReads = 'cached' | 'api';

export class SecretReleaseStore implements ReleaseStore {
  /**
   * With a cache (record-cache.ts), reads are answered from memory while it is synced, and every write of this
   * process goes into it from the API server's answer, so that what this process wrote it reads back at once.
   */
  constructor(
    private readonly core: CoreV1Api,
    private readonly namespace: string,
    private readonly cache?: RecordCache,
    private readonly reads: RecordReads = 'cached',
  ) {}

  /**
   * The same store reading every record from the API server (its writes still feed the cache): for reconciliation's
   * full pass, which must see what another replica or an operator wrote a moment ago.
   */
  fromApi(): SecretReleaseStore {
    return new SecretReleaseStore(this.core, this.namespace, this.cache, 'api');
  }

  /** The index to answer from, or undefined when reads go to the API server. */
  private get indexed() {
    return this.reads === 'cached' && this.cache?.ready ? this.cache.index : undefined;
  }

  async create(record: ReleaseRecord): Promise<ReleaseRecord> {
    try {
      const created = await this.core.createNamespacedSecret({ namespace: this.namespace, body: this.toSecret(record) });
      this.cache?.index.upsert(created);
      return withVersion(record, created);
    } catch (err) {
      if (statusOf(err) === 409) throw new AppStoreError('AlreadyExists', `release record ${record.id} exists`);
      throw fromKubeError('create release record', err);
    }
  }

  async get(id: string, options: { consistent?: boolean } = {}): Promise<ReleaseRecord | undefined> {
    const indexed = options.consistent ? undefined : this.indexed;
    if (indexed) return indexed.record(id);
    const secret = await this.readSecret(id);
    return secret ? parseRecord(secret) : undefined;
  }

  async list(): Promise<ReleaseRecord[]> {
    return (await this.listSecrets()).flatMap((s) => parseRecord(s) ?? []);
  }

  async summaries(): Promise<ReleaseSummary[]> {
    const indexed = this.indexed;
    if (indexed) return indexed.summaries();
    const summaries: ReleaseSummary[] = [];
    const older: string[] = [];
    for (const meta of await this.listMetadata()) {
      const summary = summaryOfMetadata(meta);
      const id = releaseIdOf(meta);
      if (summary) summaries.push(summary);
      else if (id) older.push(id); // written before summaries: read it in full
    }
    return [...summaries, ...(await this.read(older)).map(summaryOfRecord)];
  }

  /** From the cache: only the records owned by `owner` or shared with `groups` are looked at. */
  async summariesOf(owner: string, groups: readonly string[]): Promise<ReleaseSummary[]> {
    const indexed = this.indexed;
    if (indexed) return indexed.summariesOf(owner, groups);
    return (await this.summaries()).filter((s) => (owner !== '' && s.owner === owner) || s.adminGroups.some((g) => groups.includes(g)));
  }

  async read(ids: readonly string[]): Promise<ReleaseRecord[]> {
    if (ids.length === 0) return [];
    const indexed = this.indexed;
    if (indexed) return ids.flatMap((id) => indexed.record(id) ?? []);
    if (ids.length > READ_ONE_BY_ONE_UP_TO) {
      const wanted = new Set(ids);
      const found = new Map<string, ReleaseRecord>();
      for (const secret of await this.listSecrets()) {
        const id = releaseIdOf(secret.metadata);
        const record = id !== undefined && wanted.has(id) ? parseRecord(secret) : undefined;
        if (record) found.set(record.id, record);
      }
      return ids.flatMap((id) => found.get(id) ?? []);
    }
    const limit = pLimit(READ_CONCURRENCY);
    const records = await Promise.all(ids.map((id) => limit(() => this.get(id))));
    return records.flatMap((r) => r ?? []);
  }

  async countByState(): Promise<Record<string, number>> {
    const indexed = this.indexed;
    if (indexed) return indexed.countByState();
    const counts: Record<string, number> = {};
    for (const meta of await this.listMetadata()) {
      // Every version wrote the state label; a Secret without one is not a record this store can use.
      const state = meta.labels?.[STATE_LABEL];
      if (state) counts[state] = (counts[state] ?? 0) + 1;
    }
    return counts;
  }

  async update(record: ReleaseRecord): Promise<ReleaseRecord> {
    // Without the version it was read at, a replace would overwrite whatever is there: a bug, never done.
    if (record.storedVersion === undefined) throw new AppStoreError('Internal', `release record ${record.id} was updated without the version it was read at`);
    const body = this.toSecret(record);
    body.metadata = { ...body.metadata, resourceVersion: record.storedVersion };
    try {
      const replaced = await this.core.replaceNamespacedSecret({ name: secretName(record.id), namespace: this.namespace, body });
      this.cache?.index.upsert(replaced);
      return withVersion(record, replaced);
    } catch (err) {
      if (statusOf(err) === 409) {
        throw new AppStoreError('Conflict', `release ${record.id} was changed by another request since it was read; nothing was overwritten, try again`, { releaseId: record.id });
      }
      if (statusOf(err) === 404) throw new AppStoreError('NotFound', `release record ${record.id} not found`);
      throw fromKubeError('update release record', err);
    }
  }

  measure(record: ReleaseRecord): { bytes: number; limit: number } {
    return { bytes: RECORD_KEY.length + Buffer.byteLength(serialize(record)), limit: MAX_SECRET_BYTES - RECORD_MARGIN_BYTES };
  }

  async delete(id: string): Promise<void> {
    try {
      await this.core.deleteNamespacedSecret({ name: secretName(id), namespace: this.namespace });
    } catch (err) {
      if (statusOf(err) !== 404) throw fromKubeError('delete release record', err);
    }
    this.cache?.index.remove(id);
  }

  private async listSecrets(): Promise<V1Secret[]> {
    try {
      return (await this.core.listNamespacedSecret({ namespace: this.namespace, labelSelector: `${MANAGED_BY}=appstore` })).items;
    } catch (err) {
      throw fromKubeError('list release records', err);
    }
  }

  private async listMetadata(): Promise<V1ObjectMeta[]> {
    try {
      const list = await this.core.listNamespacedSecret({ namespace: this.namespace, labelSelector: `${MANAGED_BY}=appstore` }, METADATA_ONLY);
      // An empty PartialObjectMetadataList comes back with items: null.
      return (list.items ?? []).flatMap((item) => item.metadata ?? []);
    } catch (err) {
      throw fromKubeError('list release records', err);
    }
  }

  private async readSecret(id: string): Promise<V1Secret | undefined> {
    try {
      return await this.core.readNamespacedSecret({ name: secretName(id), namespace: this.namespace });
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw fromKubeError('read release record', err);
    }
  }

  private toSecret(record: ReleaseRecord): V1Secret {
    return recordSecret(record, this.namespace);
  }
}

/** The Secret a record is stored in (also written by bench/ to set up many records at once, in the same format). */
export function recordSecret(record: ReleaseRecord, namespace: string): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: SECRET_TYPE,
    metadata: { name: secretName(record.id), namespace, ...recordMetadata(record) },
    data: { [RECORD_KEY]: Buffer.from(serialize(record)).toString('base64') },
  };
}

/** The record as kept: its storedVersion is the Secret's, not the record's (a key of that name in values stays). */
function serialize(record: ReleaseRecord): string {
  return JSON.stringify(record, function (this: unknown, key: string, value: unknown) {
    return this === record && key === 'storedVersion' ? undefined : value;
  });
}

function withVersion(record: ReleaseRecord, secret: V1Secret): ReleaseRecord {
  return { ...record, storedVersion: secret.metadata?.resourceVersion };
}

/** The record a Secret holds; undefined when it holds none or an unreadable one. */
export function parseRecord(secret: V1Secret): ReleaseRecord | undefined {
  const raw = secret.data?.[RECORD_KEY];
  if (!raw) return undefined;
  try {
    return withVersion(JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as ReleaseRecord, secret);
  } catch {
    return undefined;
  }
}
