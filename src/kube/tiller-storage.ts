/**
 * Reads releases where Tiller keeps them with --storage=secret: one Secret
 * per revision in Tiller's namespace, labelled NAME, OWNER=TILLER, VERSION,
 * holding base64(gzip(hapi.release.Release)). Reads (status, history, a
 * rollback's target) come from here instead of Tiller's GetReleaseContent
 * and GetHistory: all of Tiller's storage requests share one client limited
 * to 5 requests a second (burst 10), so every read asked of Tiller delays
 * the installs and upgrades that follow it; and these reads keep working
 * while Tiller is down. Writes go through Tiller, with one exception:
 * failPending, for a revision Tiller itself leaves pending (see there).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CoreV1Api } from '@kubernetes/client-node';
import { Release } from '../../gen/hapi/release/release.js';
import { Status_Code } from '../../gen/hapi/release/status.js';
import type { StoredReleaseReader } from '../releases/types.js';
import { fromKubeError } from './kube-errors.js';

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

export class TillerSecretStorage implements StoredReleaseReader {
  constructor(
    private readonly core: CoreV1Api,
    private readonly tillerNamespace: string,
  ) {}

  async latest(name: string): Promise<Release | undefined> {
    // Tiller keeps each Secret's STATUS label current, and the newest revision is never SUPERSEDED: leaving those out
    // keeps a long history from being downloaded on every status read.
    const candidates = await this.stored(`NAME=${name},OWNER=TILLER,STATUS!=SUPERSEDED`);
    const newest = candidates.sort((a, b) => b.version - a.version)[0];
    return newest && decodeStoredRelease(newest.data);
  }

  async revision(name: string, version: number): Promise<Release | undefined> {
    const [stored] = await this.stored(`NAME=${name},OWNER=TILLER,VERSION=${version}`);
    return stored && decodeStoredRelease(stored.data);
  }

  async history(name: string): Promise<Release[] | undefined> {
    const all = await this.stored(`NAME=${name},OWNER=TILLER`);
    if (all.length === 0) return undefined;
    return all.sort((a, b) => b.version - a.version).map((s) => decodeStoredRelease(s.data));
  }

  /**
   * Marks the newest revision FAILED when Tiller left it pending. Tiller v2.17
   * returns from an upgrade whose post-upgrade hook failed (or timed out)
   * without recording the revision (release_update.go), so it stays
   * PENDING_UPGRADE and Tiller refuses every later change to the release as
   * "in progress". The caller holds the release's lock. Answers whether it
   * changed anything; a concurrent change of the Secret is a Conflict.
   */
  async failPending(name: string, description: string): Promise<boolean> {
    let items;
    try {
      items = (await this.core.listNamespacedSecret({ namespace: this.tillerNamespace, labelSelector: `NAME=${name},OWNER=TILLER` })).items;
    } catch (err) {
      throw fromKubeError('read Tiller release storage', err);
    }
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
      await this.core.replaceNamespacedSecret({ name: newest.metadata!.name!, namespace: this.tillerNamespace, body });
    } catch (err) {
      throw fromKubeError('mark a pending Tiller revision failed', err);
    }
    return true;
  }

  /** The Secrets of Tiller's storage matching a label selector, undecoded. */
  private async stored(labelSelector: string): Promise<{ version: number; data: string }[]> {
    let items;
    try {
      items = (await this.core.listNamespacedSecret({ namespace: this.tillerNamespace, labelSelector })).items;
    } catch (err) {
      throw fromKubeError('read Tiller release storage', err);
    }
    return items
      .map((s) => ({ version: Number(s.metadata?.labels?.VERSION ?? NaN), data: s.data?.release }))
      .filter((s): s is { version: number; data: string } => Number.isInteger(s.version) && typeof s.data === 'string');
  }
}

const PENDING = new Set([Status_Code.PENDING_INSTALL, Status_Code.PENDING_UPGRADE, Status_Code.PENDING_ROLLBACK]);

/** The Release → a Secret's `release` value as Tiller writes it (gzip, base64), base64 again for the API. */
export function encodeStoredRelease(release: Release): string {
  const tillerText = gzipSync(Release.encode(release).finish()).toString('base64');
  return Buffer.from(tillerText, 'ascii').toString('base64');
}

/** A Secret's `release` value (base64, as the API returns Secret data) → the Release Tiller stored. */
export function decodeStoredRelease(secretValue: string): Release {
  // The Secret holds Tiller's own base64 text, itself base64-encoded by the API.
  const stored = Buffer.from(Buffer.from(secretValue, 'base64').toString('ascii'), 'base64');
  const compressed = GZIP_MAGIC.every((b, i) => stored[i] === b);
  return Release.decode(compressed ? gunzipSync(stored) : stored);
}
