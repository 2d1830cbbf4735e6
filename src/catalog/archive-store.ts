import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { AppStoreError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import type { CatalogCounters } from './catalog-status.js';
import { httpGet, type FetchFn } from './http-get.js';

export interface ArchiveStoreOptions {
  /** Total bytes of archives kept in memory. */
  readonly cacheBytes: number;
  /** Largest archive accepted from a repository. */
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly fetch: FetchFn | undefined;
}

/** One version's archive as the index describes it. */
export interface ArchiveRef {
  /** `<repo>/<name> <version>`, for messages. */
  readonly label: string;
  /** sha256 hex from the index. */
  readonly digest: string;
  /** Absolute URLs, tried in order. */
  readonly urls: readonly string[];
  /** Headers (credentials) for a URL; a repository's own origin only. */
  readonly headers: (url: string) => Record<string, string>;
  /** How to download a URL when not by a plain GET with headers (an OCI blob, behind its registry's token flow). */
  readonly download?: (url: string, maxBytes: number) => Promise<Buffer>;
  /** What gave the digest, for messages: 'the repository index' by default. */
  readonly source?: string;
}

/**
 * Chart archives fetched on demand, verified against the index digest, and
 * kept in an LRU bounded by their total size.
 *
 * The cache is keyed by the digest, not by name and version: the content is
 * what was verified, a re-published version with a new digest is fetched
 * afresh, and two repositories serving the same bytes share one copy. Bytes
 * that fail the check are never cached nor returned. Concurrent requests for
 * one archive share one download.
 */
export class ArchiveStore {
  private readonly cache: LRUCache<string, Buffer>;
  private readonly inflight = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly options: ArchiveStoreOptions,
    private readonly counters: CatalogCounters,
    private readonly logger: Logger,
  ) {
    this.cache = new LRUCache<string, Buffer>({
      maxSize: Math.max(1, options.cacheBytes),
      // An archive larger than the whole cache is served but not kept.
      maxEntrySize: Math.max(1, options.cacheBytes),
      sizeCalculation: (archive) => Math.max(1, archive.length),
    });
  }

  /**
   * The archive's bytes: a copy, so that no caller can alter what the cache
   * vouches for.
   *
   * @throws AppStoreError Unavailable when no URL gave bytes matching the digest
   *   (details.reason `digest-mismatch`, or the download's reason)
   */
  async get(ref: ArchiveRef): Promise<Buffer> {
    this.counters.archiveRequests += 1;
    const cached = this.cache.get(ref.digest);
    if (cached) {
      this.counters.archiveCacheHits += 1;
      return Buffer.from(cached);
    }
    let pending = this.inflight.get(ref.digest);
    if (!pending) {
      pending = this.download(ref).finally(() => this.inflight.delete(ref.digest));
      this.inflight.set(ref.digest, pending);
    }
    return Buffer.from(await pending);
  }

  stats(): { entries: number; bytes: number; maxBytes: number } {
    return { entries: this.cache.size, bytes: this.cache.calculatedSize, maxBytes: this.options.cacheBytes };
  }

  private async download(ref: ArchiveRef): Promise<Buffer> {
    const failures: AppStoreError[] = [];
    for (const url of ref.urls) {
      try {
        const body = ref.download
          ? await ref.download(url, this.options.maxBytes)
          : (
              await httpGet(url, {
                headers: ref.headers(url),
                timeoutMs: this.options.timeoutMs,
                maxBytes: this.options.maxBytes,
                fetch: this.options.fetch,
              })
            ).body;
        const actual = createHash('sha256').update(body).digest('hex');
        if (actual !== ref.digest) {
          throw new AppStoreError(
            'Unavailable',
            `the archive of ${ref.label} from ${url} does not match ${ref.source ?? 'the repository index'} (sha256 ${actual}, ` +
              `expected ${ref.digest}); refused`,
            { reason: 'digest-mismatch', url, expected: ref.digest, actual },
          );
        }
        this.cache.set(ref.digest, body);
        return body;
      } catch (err) {
        const failure = AppStoreError.from(err);
        if (failure.details.reason === 'digest-mismatch') this.counters.digestMismatches += 1;
        this.logger.warn({ chart: ref.label, url, err: failure.message }, 'chart archive download failed');
        failures.push(failure);
      }
    }
    this.counters.archiveFailures += 1;
    // A mismatch says more than a mirror being down: report it first.
    const worst = failures.find((f) => f.details.reason === 'digest-mismatch') ?? failures.at(-1);
    throw worst ?? new AppStoreError('Unavailable', `${ref.label} has no archive URL`);
  }
}
