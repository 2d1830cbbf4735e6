import type { RepoStatus } from './catalog-status.js';
import type { PackageRecord } from './package-model.js';
import type { RepoConfig } from './repo-config.js';

export type RefreshOutcome = 'updated' | 'unchanged' | 'failed';

/**
 * One configured repository as the catalog merges it: an index.yaml
 * repository (RepoSync) or an OCI registry (OciRepoSync). Each keeps the
 * packages of its last good load and never rejects a refresh.
 */
export interface RepoSource {
  readonly repo: RepoConfig;
  /** The packages of the last good load; empty until one loaded. */
  readonly records: readonly PackageRecord[];
  /** Never rejects: a failure is recorded, logged and counted. */
  refresh(signal: AbortSignal): Promise<RefreshOutcome>;
  status(): RepoStatus;
  /**
   * How to download one of a version's archive URLs, when not by a plain GET
   * with the repository's headers (an OCI blob behind a token flow). The
   * archive store checks the digest either way.
   */
  download?(url: string, maxBytes: number): Promise<Buffer>;
}
