/**
 * Keeps the release records' Secrets in memory (record-index.ts) from a
 * watch: client-node's informer lists the Secrets labelled as the store's
 * and then watches them from the list's resourceVersion, relisting by itself
 * after a 410 Gone. Around it, this class restarts cleanly: after a watch
 * error (a new informer, a new list, with a growing pause between attempts),
 * and periodically (a resync), so that a watch that died without a word, or
 * an event lost, cannot leave the index wrong for longer than one period.
 *
 * The index is used only while it is `synced`: from the first list that
 * succeeded until a watch error, and again after the next list. Until then
 * the store reads from the API server as before. Each replica has its own
 * watch; changes are still serialized by the release Leases, and a change
 * reads the record from the API server under its Lease (release-store.ts).
 */
import { CoreV1Api, makeInformer, type Informer, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import type { Logger } from '../observability/logger.js';
import { RecordIndex, type RecordParser } from './record-index.js';
import { MANAGED_BY, releaseIdOf } from './release-summary.js';

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
  private informer: Informer<V1Secret> | undefined;
  private generation = 0;
  private synced = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly core: CoreV1Api;
  private readonly selector = `${MANAGED_BY}=appstore`;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly options: RecordCacheOptions) {
    this.index = new RecordIndex(options.parse);
    this.core = options.config.makeApiClient(CoreV1Api);
  }

  /** Whether reads may be answered from the index (a list succeeded and no watch error since). */
  get ready(): boolean {
    return this.synced;
  }

  /** Starts watching; resolves once the first list is in, or after `waitMs` (the store reads from the API until then). */
  async start(waitMs = 10_000): Promise<void> {
    this.stopped = false;
    this.restart();
    const resync = this.options.resyncMs ?? 10 * 60_000;
    this.resyncTimer = setInterval(() => this.restart(), resync);
    this.resyncTimer.unref();
    if (this.synced) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.waiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs))),
    ]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.synced = false;
    clearTimeout(this.retryTimer);
    clearInterval(this.resyncTimer);
    const informer = this.informer;
    this.informer = undefined;
    await informer?.stop();
  }

  /** A new informer (a new list, then a watch from it); the previous one is stopped and its late events ignored. */
  private restart(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const generation = ++this.generation;
    const previous = this.informer;
    void previous?.stop();
    const current = () => generation === this.generation && !this.stopped;
    const list = async () => {
      const answer = await this.core.listNamespacedSecret({ namespace: this.options.namespace, labelSelector: this.selector });
      // The informer takes the items in once this resolves; the index takes them (and drops what the list lacks) after.
      setImmediate(() => {
        if (!current()) return;
        this.index.replace(answer.items, answer.metadata?.resourceVersion);
        this.failures = 0;
        if (!this.synced) this.options.log.info({ records: this.index.size }, 'release records cached from a watch');
        this.synced = true;
        this.waiters.splice(0).forEach((resolve) => resolve());
      });
      return answer;
    };
    const informer = makeInformer<V1Secret>(
      this.options.config,
      `/api/v1/namespaces/${encodeURIComponent(this.options.namespace)}/secrets`,
      list,
      this.selector,
    );
    informer.on('add', (secret) => current() && this.index.upsert(secret));
    informer.on('update', (secret) => current() && this.index.upsert(secret));
    informer.on('delete', (secret) => {
      if (!current()) return;
      const id = releaseIdOf(secret.metadata);
      if (id) this.index.remove(id, secret);
    });
    informer.on('error', (err: unknown) => {
      if (!current()) return;
      this.synced = false;
      const pause = Math.min((this.options.retryMs ?? 1000) * 2 ** this.failures, this.options.maxRetryMs ?? 30_000);
      this.failures++;
      this.options.log.warn({ err: (err as Error | undefined)?.message ?? String(err), retryMs: pause }, 'watch of release records failed; reads go to the API server until it is restarted');
      this.retryTimer = setTimeout(() => this.restart(), pause);
      this.retryTimer.unref();
    });
    this.informer = informer;
    informer.start().catch((err: unknown) => {
      if (!current()) return;
      this.synced = false;
      this.options.log.warn({ err: (err as Error).message }, 'watch of release records did not start');
      this.retryTimer = setTimeout(() => this.restart(), this.options.maxRetryMs ?? 30_000);
      this.retryTimer.unref();
    });
  }
}
