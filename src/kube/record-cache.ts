/**
 * Keeps the release records' Secrets in memory (record-index.ts) from a
 * watch of the Secrets labelled as the store's (secret-watch.ts: list, watch,
 * clean restarts after errors or a 410 Gone, a periodic resync).
 *
 * The index is used only while it is `ready`: from the first list that
 * succeeded until a watch error, and again after the next list. Until then
 * the store reads from the API server as before. Each replica has its own
 * watch; changes are still serialized by the release Leases, and a change
 * reads the record from the API server under its Lease (release-store.ts).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../observability/logger.js';
import { RecordIndex, type RecordParser } from './record-index.js';
import { MANAGED_BY, releaseIdOf } from './release-summary.js';
import { SecretWatch } from './secret-watch.js';

export interface RecordCacheOptions {
  readonly config: KubeConfig;
  readonly namespace: string;
  readonly parse: RecordParser;
  readonly log: Logger;
  /** A full relist this often (10 minutes by default). */
  readonly resyncMs?: number;
  /** The first pause after a watch error; doubled on each failure in a row, up to maxRetryMs (1 s, 30 s). */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

export class RecordCache {
  readonly index: RecordIndex;
  private readonly watch: SecretWatch;

  constructor(options: RecordCacheOptions) {
    const index = new RecordIndex(options.parse);
    this.index = index;
    this.watch = new SecretWatch({
      ...options,
      labelSelector: `${MANAGED_BY}=appstore`,
      subject: 'release records',
      sink: {
        upsert: (secret) => index.upsert(secret),
        remove: (secret) => {
          const id = releaseIdOf(secret.metadata);
          if (id) index.remove(id, secret);
        },
        replace: (items, listVersion) => index.replace(items, listVersion),
        get size() {
          return index.size;
        },
      },
    });
  }

  /** Whether reads may be answered from the index (a list succeeded and no watch error since). */
  get ready(): boolean {
    return this.watch.ready;
  }

  /** Starts watching; resolves once the first list is in, or after `waitMs` (the store reads from the API until then). */
  start(waitMs = 10_000): Promise<void> {
    return this.watch.start(waitMs);
  }

  stop(): Promise<void> {
    return this.watch.stop();
  }
}
