/**
 * Keeps Tiller's stored releases (its Secrets labelled OWNER=TILLER in its
 * namespace) in memory (tiller-index.ts) from a watch (secret-watch.ts:
 * list, watch, clean restarts after errors or a 410 Gone, a periodic resync),
 * so that status, history and a rollback's target are read without listing
 * Secrets on each call. tiller-storage.ts decides when the index may answer
 * and when a read goes to the API server instead. Each replica has its own
 * watch.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../observability/logger.js';
import { SecretWatch } from './secret-watch.js';
import { TillerIndex } from './tiller-index.js';

export interface TillerCacheOptions {
  readonly config: KubeConfig;
  /** Tiller's namespace (TILLER_NAMESPACE). */
  readonly namespace: string;
  readonly log: Logger;
  /** Bytes of decoded releases kept (tiller-index.ts). */
  readonly maxDecodedBytes?: number;
  readonly resyncMs?: number;
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

export class TillerCache {
  readonly index: TillerIndex;
  private readonly watch: SecretWatch;

  constructor(options: TillerCacheOptions) {
    this.index = new TillerIndex(options.maxDecodedBytes === undefined ? {} : { maxDecodedBytes: options.maxDecodedBytes });
    this.watch = new SecretWatch({ ...options, labelSelector: 'OWNER=TILLER', subject: "Tiller's stored releases", sink: this.index });
  }

  /** Whether reads may be answered from the index (a list succeeded and no watch error since). */
  get ready(): boolean {
    return this.watch.ready;
  }

  /** Starts watching (once; again after stop()); resolves once the first list is in, or after `waitMs`. */
  start(waitMs = 10_000): Promise<void> {
    return this.watch.start(waitMs);
  }

  stop(): Promise<void> {
    return this.watch.stop();
  }
}
