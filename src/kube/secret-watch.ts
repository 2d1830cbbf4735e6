/**
 * Keeps Secrets matching a label selector in one namespace flowing into an
 * in-memory index from a watch: client-node's informer lists them and then
 * watches from the list's resourceVersion, relisting by itself after a 410
 * Gone. Around it, this class restarts cleanly: after a watch error (a new
 * informer, a new list, with a growing pause between attempts), and
 * periodically (a resync), so that a watch that died without a word, or an
 * event lost, cannot leave the index wrong for longer than one period.
 *
 * The index may be used only while the watch is `ready`: from the first list
 * that succeeded until a watch error, and again after the next list. Users
 * read from the API server meanwhile. Shared by the release records'
 * cache (record-cache.ts) and Tiller's storage cache (tiller-cache.ts).
 */
import { CoreV1Api, makeInformer, type Informer, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import type { Logger } from '../observability/logger.js';

/** Where the watched Secrets go; each object carries its resourceVersion, so the index can keep the newest. */
export interface SecretSink {
  /** A Secret added or changed (watch event, or one item of a list). */
  upsert(secret: V1Secret): void;
  /** A Secret deleted, as the watch reported it (or as the informer last had it, when a relist lacks it). */
  remove(secret: V1Secret): void;
  /** A full list at `listVersion`; what it lacks is gone, unless it was written after the list. */
  replace(items: readonly V1Secret[], listVersion: string | undefined): void;
  readonly size: number;
}

export interface SecretWatchOptions {
  readonly config: KubeConfig;
  readonly namespace: string;
  readonly labelSelector: string;
  readonly sink: SecretSink;
  readonly log: Logger;
  /** What is watched, for the log ("release records"). */
  readonly subject: string;
  /** A full relist this often (10 minutes by default). */
  readonly resyncMs?: number;
  /** The first pause after a watch error; doubled on each failure in a row, up to maxRetryMs (1 s, 30 s). */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

export class SecretWatch {
  private informer: Informer<V1Secret> | undefined;
  private generation = 0;
  private synced = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly core: CoreV1Api;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly options: SecretWatchOptions) {
    this.core = options.config.makeApiClient(CoreV1Api);
  }

  /** Whether reads may be answered from the index (a list succeeded and no watch error since). */
  get ready(): boolean {
    return this.synced;
  }

  /** Whether start() was called and stop() not since. */
  get running(): boolean {
    return !this.stopped;
  }

  /** Starts watching; resolves once the first list is in, or after `waitMs` (reads go to the API server until then). */
  async start(waitMs = 10_000): Promise<void> {
    if (!this.stopped) return;
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
    this.waiters.splice(0).forEach((resolve) => resolve());
    const informer = this.informer;
    this.informer = undefined;
    await informer?.stop();
  }

  /** A new informer (a new list, then a watch from it); the previous one is stopped and its late events ignored. */
  restart(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const { sink, log, subject, namespace, labelSelector } = this.options;
    const generation = ++this.generation;
    const previous = this.informer;
    void previous?.stop();
    const current = () => generation === this.generation && !this.stopped;
    const list = async () => {
      const answer = await this.core.listNamespacedSecret({ namespace, labelSelector });
      // The informer takes the items in once this resolves; the index takes them (and drops what the list lacks) after.
      setImmediate(() => {
        if (!current()) return;
        sink.replace(answer.items, answer.metadata?.resourceVersion);
        this.failures = 0;
        if (!this.synced) log.info({ objects: sink.size }, `${subject} cached from a watch`);
        this.synced = true;
        this.waiters.splice(0).forEach((resolve) => resolve());
      });
      return answer;
    };
    const informer = makeInformer<V1Secret>(this.options.config, `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`, list, labelSelector);
    informer.on('add', (secret) => current() && sink.upsert(secret));
    informer.on('update', (secret) => current() && sink.upsert(secret));
    informer.on('delete', (secret) => current() && sink.remove(secret));
    informer.on('error', (err: unknown) => {
      if (!current()) return;
      this.synced = false;
      const pause = Math.min((this.options.retryMs ?? 1000) * 2 ** this.failures, this.options.maxRetryMs ?? 30_000);
      this.failures++;
      log.warn({ err: (err as Error | undefined)?.message ?? String(err), retryMs: pause }, `watch of ${subject} failed; reads go to the API server until it is restarted`);
      this.retryTimer = setTimeout(() => this.restart(), pause);
      this.retryTimer.unref();
    });
    this.informer = informer;
    informer.start().catch((err: unknown) => {
      if (!current()) return;
      this.synced = false;
      log.warn({ err: (err as Error).message }, `watch of ${subject} did not start`);
      this.retryTimer = setTimeout(() => this.restart(), this.options.maxRetryMs ?? 30_000);
      this.retryTimer.unref();
    });
  }
}
