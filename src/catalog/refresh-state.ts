/**
 * What every kind of repository keeps about its refreshes (index.yaml over
 * HTTP, tag lists of an OCI registry): when it was last asked and last
 * loaded, whether it is failing and why, and the catalog's counters of
 * requests, updates and failures. A failure never rejects: the repository
 * keeps serving its last good list.
 */
import { AppStoreError } from '../domain/errors.js';
import { errorText } from '../domain/error-text.js';
import type { CatalogCounters, RepoStatus } from './catalog-status.js';
import type { RefreshOutcome } from './repo-source.js';

export class RefreshState {
  private failing = false;
  private lastAttemptAt: number | undefined;
  private lastSuccessAt: number | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly counters: CatalogCounters,
    private readonly now: () => number,
  ) {}

  /** Runs one load; a failure is recorded, counted and handed to `failed` (to log it, or to back off). */
  async run(
    load: () => Promise<'updated' | 'unchanged'>,
    failed: (failure: AppStoreError, text: string, servingSince: number | undefined) => void,
  ): Promise<RefreshOutcome> {
    const started = this.now();
    this.lastAttemptAt = started;
    this.counters.indexRequests += 1;
    try {
      const outcome = await load();
      this.failing = false;
      this.lastError = undefined;
      this.lastSuccessAt = started;
      if (outcome === 'unchanged') this.counters.indexNotModified += 1;
      else this.counters.indexUpdates += 1;
      return outcome;
    } catch (err) {
      const failure = AppStoreError.from(err);
      this.failing = true;
      this.lastError = errorText(err);
      this.counters.indexFailures += 1;
      failed(failure, this.lastError, this.lastSuccessAt);
      return 'failed';
    }
  }

  /** The part of a repository's status this keeps. */
  status(): Pick<RepoStatus, 'failing' | 'lastAttemptAt' | 'lastSuccessAt' | 'lastError'> {
    return { failing: this.failing, lastAttemptAt: this.lastAttemptAt, lastSuccessAt: this.lastSuccessAt, lastError: this.lastError };
  }
}
