/**
 * Reads releases where Tiller keeps them with --storage=secret: one Secret
 * per revision in Tiller's namespace, labelled NAME, OWNER=TILLER, VERSION,
 * STATUS, holding base64(gzip(hapi.release.Release)) (tiller-codec.ts).
 * Reads (status, history, a rollback's target) come from here instead of
 * Tiller's GetReleaseContent and GetHistory: all of Tiller's storage requests
 * share one client limited to 5 requests a second (burst 10), so every read
 * asked of Tiller delays the installs and upgrades that follow it; and these
 * reads keep working while Tiller is down. Writes go through Tiller, with one
 * exception: failPending, for a revision Tiller itself leaves pending.
 *
 * With a cache (tiller-cache.ts), reads answer from memory while its watch
 * is synced, and otherwise list the release's Secrets as before. Tiller
 * writes its Secrets itself, so a watch event may arrive a moment after
 * Tiller answered the store; the store's record of the release is written
 * after that answer, with the revision it made (ReleaseRecord.revision),
 * and a reader passes it as `atLeast`. A read lists the Secrets instead of
 * answering from memory when the cache holds no revision of the release, a
 * newest revision older than `atLeast`, or a newest revision still pending
 * (a change in flight, or one whose last write has not arrived): a watch
 * delivers events in order, so once the final write of a change (its
 * revision leaving pending) is in, the earlier ones are too. A change made
 * outside the store (the helm CLI) is seen when its events arrive.
 */
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import type { Release } from '../../gen/hapi/release/release.js';
import { Status_Code } from '../../gen/hapi/release/status.js';
import type { StoredReleaseReader } from '../releases/types.js';
import { fromKubeError } from './kube-errors.js';
import type { TillerCache } from './tiller-cache.js';
import { decodeStoredRelease, encodeStoredRelease } from './tiller-codec.js';
import type { TillerIndex } from './tiller-index.js';

const PENDING_LABELS = new Set(['PENDING_INSTALL', 'PENDING_UPGRADE', 'PENDING_ROLLBACK']);

/** How often reads were answered from memory and how often they listed the Secrets (tests, logs). */
export interface StoredReadCounts {
  cached: number;
  listed: number;
}

export class TillerSecretStorage implements StoredReleaseReader {
  readonly counts: StoredReadCounts = { cached: 0, listed: 0 };

  constructor(
    private readonly core: CoreV1Api,
    private readonly tillerNamespace: string,
    private readonly cache?: Pick<TillerCache, 'ready' | 'index'>,
  ) {}

  async latest(name: string, atLeast?: number): Promise<Release | undefined> {
    const index = this.settled(name, atLeast);
    if (index) return index.release(name, index.revisions(name)[0]!);
    // Tiller keeps each Secret's STATUS label current, and the newest revision is never SUPERSEDED: leaving those out
    // keeps a long history from being downloaded on every status read.
    const candidates = await this.stored(`NAME=${name},OWNER=TILLER,STATUS!=SUPERSEDED`);
    const newest = candidates.sort((a, b) => b.version - a.version)[0];
    return newest && decodeStoredRelease(newest.data);
  }

  async revision(name: string, version: number): Promise<Release | undefined> {
    // A revision's content never changes once written (only its status does): any revision held is good to answer.
    const held = this.cache?.ready ? this.cache.index.release(name, version) : undefined;
    if (held) {
      this.counts.cached++;
      return held;
    }
    const [stored] = await this.stored(`NAME=${name},OWNER=TILLER,VERSION=${version}`);
    return stored && decodeStoredRelease(stored.data);
  }

  async history(name: string, atLeast?: number): Promise<Release[] | undefined> {
    const index = this.settled(name, atLeast);
    if (index) return index.revisions(name).flatMap((revision) => index.release(name, revision) ?? []);
    const all = await this.stored(`NAME=${name},OWNER=TILLER`);
    if (all.length === 0) return undefined;
    return all.sort((a, b) => b.version - a.version).map((s) => decodeStoredRelease(s.data));
  }

  /**
   * Marks the newest revision FAILED when Tiller left it pending. Tiller v2.17
   * returns from an upgrade whose post-upgrade hook failed (or timed out)
   * without recording the revision (release_update.go), so it stays
   * PENDING_UPGRADE and Tiller refuses every later change to the release as
   * "in progress". The caller holds the release's lock; the Secrets are read
   * from the API server, and the one written goes into the cache from the
   * API's answer. Answers whether it changed anything; a concurrent change of
   * the Secret is a Conflict.
   */
  async failPending(name: string, description: string): Promise<boolean> {
    const items = await this.list(`NAME=${name},OWNER=TILLER`);
    const newest = items.sort((a, b) => Number(b.metadata?.labels?.VERSION ?? 0) - Number(a.metadata?.labels?.VERSION ?? 0))[0];
    const data = newest?.data?.release;
    if (!newest || data === undefined) return false;
    const release = decodeStoredRelease(data);
    const status = release.info?.status;
    if (!release.info || !status || !PENDING.has(status.code)) return false;
    release.info.status = { ...status, code: Status_Code.FAILED };
    release.info.Description = description;
    const body = {
      ...newest,
      metadata: { ...newest.metadata, labels: { ...newest.metadata?.labels, STATUS: 'FAILED' } },
      data: { ...newest.data, release: encodeStoredRelease(release) },
    };
    try {
      const replaced = await this.core.replaceNamespacedSecret({ name: newest.metadata!.name!, namespace: this.tillerNamespace, body });
      this.cache?.index.upsert(replaced);
    } catch (err) {
      throw fromKubeError('mark a pending Tiller revision failed', err);
    }
    return true;
  }

  /** The index, when it may answer for this release (see the top of this file); undefined when the Secrets are listed. */
  private settled(name: string, atLeast: number | undefined): TillerIndex | undefined {
    const index = this.cache?.ready ? this.cache.index : undefined;
    const newest = index?.revisions(name)[0];
    if (!index || newest === undefined) return undefined;
    if (atLeast !== undefined && newest < atLeast) return undefined;
    if (PENDING_LABELS.has(index.statusLabel(name, newest) ?? '')) return undefined;
    this.counts.cached++;
    return index;
  }

  /** The Secrets of Tiller's storage matching a label selector, undecoded. */
  private async stored(labelSelector: string): Promise<{ version: number; data: string }[]> {
    return (await this.list(labelSelector))
      .map((s) => ({ version: Number(s.metadata?.labels?.VERSION ?? NaN), data: s.data?.release }))
      .filter((s): s is { version: number; data: string } => Number.isInteger(s.version) && typeof s.data === 'string');
  }

  /**
   * Listed from the API server. What a list holds does not go into the cache: a part of the Secrets, newer than the
   * watch, would break the order the cache relies on (a newest revision in, its predecessor's SUPERSEDED not yet).
   */
  private async list(labelSelector: string): Promise<V1Secret[]> {
    this.counts.listed++;
    try {
      return (await this.core.listNamespacedSecret({ namespace: this.tillerNamespace, labelSelector })).items;
    } catch (err) {
      throw fromKubeError('read Tiller release storage', err);
    }
  }
}

const PENDING = new Set([Status_Code.PENDING_INSTALL, Status_Code.PENDING_UPGRADE, Status_Code.PENDING_ROLLBACK]);
