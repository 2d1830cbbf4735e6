/**
 * Release records as Secrets in the store's own namespace (values may hold
 * secrets), one per release, labelled app.kubernetes.io/managed-by=appstore.
 * Updates carry the resourceVersion read, so a concurrent writer fails
 * instead of being overwritten.
 */
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import type { ReleaseRecord, ReleaseStore } from '../releases/types.js';
import { AppStoreError } from '../domain/errors.js';
import { fromKubeError, statusOf } from './kube-errors.js';

const MANAGED_BY = 'app.kubernetes.io/managed-by';
const RELEASE_LABEL = 'appstore.io/release';
const STATE_LABEL = 'appstore.io/state';
const SECRET_TYPE = 'appstore.io/release.v1';
const RECORD_KEY = 'record';
/** Kubernetes' limit on a Secret's data (keys and decoded values). */
const MAX_SECRET_BYTES = 1024 * 1024;
/** Room for what a record gains after it is measured (a provisioned client, a longer timestamp). */
const RECORD_MARGIN_BYTES = 64 * 1024;

export class SecretReleaseStore implements ReleaseStore {
  constructor(
    private readonly core: CoreV1Api,
    private readonly namespace: string,
  ) {}

  async create(record: ReleaseRecord): Promise<void> {
    try {
      await this.core.createNamespacedSecret({ namespace: this.namespace, body: this.toSecret(record) });
    } catch (err) {
      if (statusOf(err) === 409) throw new AppStoreError('AlreadyExists', `release record ${record.id} exists`);
      throw fromKubeError('create release record', err);
    }
  }

  async get(id: string): Promise<ReleaseRecord | undefined> {
    const secret = await this.read(id);
    return secret ? parseRecord(secret) : undefined;
  }

  async list(): Promise<ReleaseRecord[]> {
    try {
      const secrets = await this.core.listNamespacedSecret({ namespace: this.namespace, labelSelector: `${MANAGED_BY}=appstore` });
      return secrets.items.flatMap((s) => parseRecord(s) ?? []);
    } catch (err) {
      throw fromKubeError('list release records', err);
    }
  }

  async update(record: ReleaseRecord): Promise<void> {
    const current = await this.read(record.id);
    if (!current) throw new AppStoreError('NotFound', `release record ${record.id} not found`);
    const body = this.toSecret(record);
    body.metadata = { ...body.metadata, resourceVersion: current.metadata?.resourceVersion };
    try {
      await this.core.replaceNamespacedSecret({ name: secretName(record.id), namespace: this.namespace, body });
    } catch (err) {
      if (statusOf(err) === 409) throw new AppStoreError('Conflict', `release ${record.id} changed concurrently; try again`);
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
  }

  private async read(id: string): Promise<V1Secret | undefined> {
    try {
      return await this.core.readNamespacedSecret({ name: secretName(id), namespace: this.namespace });
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw fromKubeError('read release record', err);
    }
  }

  private toSecret(record: ReleaseRecord): V1Secret {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      type: SECRET_TYPE,
      metadata: {
        name: secretName(record.id),
        namespace: this.namespace,
        labels: { [MANAGED_BY]: 'appstore', [RELEASE_LABEL]: record.id, [STATE_LABEL]: record.state },
      },
      data: { [RECORD_KEY]: Buffer.from(serialize(record)).toString('base64') },
    };
  }
}

function serialize(record: ReleaseRecord): string {
  return JSON.stringify(record);
}

export function secretName(id: string): string {
  return `appstore-release-${id}`;
}

function parseRecord(secret: V1Secret): ReleaseRecord | undefined {
  const raw = secret.data?.[RECORD_KEY];
  if (!raw) return undefined;
  try {
    return JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as ReleaseRecord;
  } catch {
    return undefined;
  }
}
