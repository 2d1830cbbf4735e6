/**
 * What the catalog reports about itself, for /readyz, metrics and logs:
 * plain numbers that a metrics adapter can turn into gauges and counters
 * without the catalog depending on prom-client.
 */

/** Monotonic counts since start. */
export interface CatalogCounters {
  /** index.yaml requests sent. */
  indexRequests: number;
  /** Loads that changed the served index. */
  indexUpdates: number;
  /** 304s, and 200s whose body had not changed. */
  indexNotModified: number;
  /** Refreshes that failed (network, status, timeout, size, unparsable); the last good copy stayed. */
  indexFailures: number;
  /** Malformed entries left out of loaded indexes. */
  entriesSkipped: number;
  archiveRequests: number;
  archiveCacheHits: number;
  /** Archive downloads that failed, digest mismatches included. */
  archiveFailures: number;
  digestMismatches: number;
  /** OCI manifests (and their configs) fetched: each digest once while it stays in the cache. */
  manifestsFetched: number;
  /** OCI tags whose manifest was already known by its digest. */
  manifestCacheHits: number;
  /** 429 answers from OCI registries (each waited out, or failing the refresh). */
  registryRateLimited: number;
}

export function newCounters(): CatalogCounters {
  return {
    indexRequests: 0,
    indexUpdates: 0,
    indexNotModified: 0,
    indexFailures: 0,
    entriesSkipped: 0,
    archiveRequests: 0,
    archiveCacheHits: 0,
    archiveFailures: 0,
    digestMismatches: 0,
    manifestsFetched: 0,
    manifestCacheHits: 0,
    registryRateLimited: 0,
  };
}

export interface RepoStatus {
  readonly name: string;
  readonly url: string;
  /** An index.yaml repository, or an OCI registry. */
  readonly kind: 'http' | 'oci';
  readonly development: boolean;
  /** Whether an index of it has ever loaded (and is being served). */
  readonly loaded: boolean;
  /** Whether its latest refresh failed. */
  readonly failing: boolean;
  /** Epoch milliseconds. */
  readonly lastAttemptAt: number | undefined;
  /** Epoch milliseconds of the latest refresh that loaded or confirmed the index (200 or 304). */
  readonly lastSuccessAt: number | undefined;
  readonly lastError: string | undefined;
  readonly packages: number;
  /** Entries skipped in the index being served. */
  readonly skippedEntries: number;
}

export interface CatalogStatus {
  readonly ready: boolean;
  readonly generation: number;
  readonly staleSeconds: number;
  readonly packages: number;
  readonly repos: readonly RepoStatus[];
  readonly counters: Readonly<CatalogCounters>;
  readonly archiveCache: { readonly entries: number; readonly bytes: number; readonly maxBytes: number };
}
