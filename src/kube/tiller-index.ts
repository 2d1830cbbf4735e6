/**
 * Tiller's storage Secrets held in memory, indexed by release NAME and
 * revision VERSION (their labels), so that a release's newest revision, one
 * revision or its history are found without a request to the API server.
 *
 * What is held: each Secret as the watch (or this process's own write)
 * last reported it, which the informer feeding this index holds anyway, so
 * memory grows with what Tiller stores and nothing more. Releases are decoded
 * only when read (base64, gunzip, protobuf), and the decoded ones are kept in
 * an LRU bounded in bytes of protobuf (`maxDecodedBytes`), keyed by the
 * Secret's uid and resourceVersion, so a changed Secret is decoded afresh and
 * a history read once does not stay in memory for ever. The decoded releases
 * are shared between readers: nobody may change them.
 *
 * Like the records' index (record-index.ts), an older resourceVersion never
 * replaces a newer one, and a Secret the watch reported deleted is not
 * brought back by an older answer that arrives later. The feeding (informer,
 * restarts) is tiller-cache.ts.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { LRUCache } from 'lru-cache';
import { Release } from '../../gen/hapi/release/release.js';
import { older, parseVersion, versionOf } from './resource-versions.js';
import { unpackStoredRelease } from './tiller-codec.js';

interface Stored {
  readonly secret: V1Secret;
  readonly version: bigint | undefined;
  readonly name: string;
  readonly revision: number;
  readonly data: string;
}

/** A Secret of Tiller's storage as its labels and data describe it; undefined for one that is not a stored release. */
function storedOf(secret: V1Secret): Stored | undefined {
  const labels = secret.metadata?.labels;
  const name = labels?.NAME;
  const revision = Number(labels?.VERSION ?? NaN);
  const data = secret.data?.release;
  if (!name || !Number.isInteger(revision) || typeof data !== 'string' || labels?.OWNER !== 'TILLER') return undefined;
  return { secret, version: versionOf(secret), name, revision, data };
}

/** A decoded release stays valid for as long as its Secret's uid and resourceVersion do. */
function decodedKey(secret: V1Secret): string {
  return `${secret.metadata?.uid ?? secret.metadata?.name}/${secret.metadata?.resourceVersion ?? ''}`;
}

export interface TillerIndexOptions {
  /** Bytes of decoded releases (protobuf) kept; 32 MiB by default. */
  readonly maxDecodedBytes?: number;
}

export class TillerIndex {
  /** By the Secret's name, which Tiller makes `<release>.v<revision>`. */
  private readonly secrets = new Map<string, Stored>();
  /** Release NAME → revision → Secret name. */
  private readonly releases = new Map<string, Map<number, string>>();
  /** Secrets the watch reported deleted, at the deletion's version: older reports of them are stale. */
  private readonly deleted = new Map<string, bigint | undefined>();
  private readonly decoded: LRUCache<string, { release: Release; bytes: number }>;

  constructor(options: TillerIndexOptions = {}) {
    this.decoded = new LRUCache({
      maxSize: Math.max(1, options.maxDecodedBytes ?? 32 * 1024 * 1024),
      sizeCalculation: (entry) => Math.max(1, entry.bytes),
    });
  }

  /** The number of stored revisions held. */
  get size(): number {
    return this.secrets.size;
  }

  /** Decoded releases held, in bytes of protobuf. */
  get decodedBytes(): number {
    return this.decoded.calculatedSize;
  }

  /** A Secret seen (watch, list, or the API's answer to this process's write); kept unless what is known is newer. */
  upsert(secret: V1Secret): void {
    const key = secret.metadata?.name;
    if (!key) return;
    const version = versionOf(secret);
    const current = this.secrets.get(key);
    if (current && older(version, current.version)) return;
    if (this.deleted.has(key)) {
      if (older(version, this.deleted.get(key))) return;
      this.deleted.delete(key);
    }
    this.forget(key);
    const stored = storedOf(secret);
    if (!stored) return;
    this.secrets.set(key, stored);
    let revisions = this.releases.get(stored.name);
    if (!revisions) this.releases.set(stored.name, (revisions = new Map()));
    revisions.set(stored.revision, key);
  }

  /** A Secret the watch reported deleted (its version is the deletion's), or one a relist no longer has. */
  remove(seen: V1Secret): void {
    const key = seen.metadata?.name;
    if (!key) return;
    const current = this.secrets.get(key);
    const version = versionOf(seen);
    if (current && older(version, current.version)) return;
    this.deleted.set(key, version);
    this.forget(key);
  }

  /** A full list at `listVersion`: what it holds is upserted; what it lacks is dropped unless written after the list. */
  replace(items: readonly V1Secret[], listVersion: string | undefined): void {
    const listed = new Set<string>();
    for (const secret of items) {
      if (secret.metadata?.name) listed.add(secret.metadata.name);
      this.upsert(secret);
    }
    const at = parseVersion(listVersion);
    for (const [key, stored] of [...this.secrets]) {
      if (!listed.has(key) && (at === undefined || stored.version === undefined || stored.version <= at)) this.forget(key);
    }
    for (const [key, version] of [...this.deleted]) {
      if (at === undefined || version === undefined || version <= at) this.deleted.delete(key);
    }
  }

  /** The release's stored revisions, newest first (empty when none is held). */
  revisions(name: string): number[] {
    return [...(this.releases.get(name)?.keys() ?? [])].sort((a, b) => b - a);
  }

  /** The STATUS label of one revision (Tiller keeps it current), or undefined when none is held. */
  statusLabel(name: string, revision: number): string | undefined {
    const key = this.releases.get(name)?.get(revision);
    return key === undefined ? undefined : this.secrets.get(key)?.secret.metadata?.labels?.STATUS;
  }

  /** One revision, decoded; undefined when none is held. Throws on a Secret whose data cannot be decoded. */
  release(name: string, revision: number): Release | undefined {
    const key = this.releases.get(name)?.get(revision);
    const stored = key === undefined ? undefined : this.secrets.get(key);
    if (!stored) return undefined;
    const cacheKey = decodedKey(stored.secret);
    const cached = this.decoded.get(cacheKey);
    if (cached) return cached.release;
    const bytes = unpackStoredRelease(stored.data);
    const release = Release.decode(bytes);
    this.decoded.set(cacheKey, { release, bytes: bytes.length });
    return release;
  }

  private forget(key: string): void {
    const stored = this.secrets.get(key);
    if (!stored) return;
    this.secrets.delete(key);
    this.decoded.delete(decodedKey(stored.secret));
    const revisions = this.releases.get(stored.name);
    if (revisions?.get(stored.revision) === key) revisions.delete(stored.revision);
    if (revisions?.size === 0) this.releases.delete(stored.name);
  }
}
