/**
 * The limits one tenant runs into, from the environment: release quotas,
 * changes in flight per user, and how the store paces changes against
 * Tiller's storage rate limiter. 0 turns a limit off.
 */
import { integer, type Env } from '../env-readers.js';
import type { QuotaLimits } from './release-quotas.js';

export interface LimitsConfig {
  readonly quotas: QuotaLimits;
  /** Changes one user may have in flight at once (per replica); 0: unlimited. */
  readonly maxChangesInFlightPerUser: number;
  /** Changes sent to Tiller at once, across users. */
  readonly engineConcurrency: number;
  /** Tiller's storage client: requests a second (0: no pacing) and burst. */
  readonly tillerStorage: { readonly qps: number; readonly burst: number };
}

export function loadLimitsConfig(env: Env): LimitsConfig {
  return {
    quotas: {
      releasesPerUser: integer(env, 'APPSTORE_QUOTA_RELEASES_PER_USER', 50, 0, 1_000_000),
      releasesPerGroup: integer(env, 'APPSTORE_QUOTA_RELEASES_PER_GROUP', 200, 0, 1_000_000),
    },
    maxChangesInFlightPerUser: integer(env, 'APPSTORE_MAX_CHANGES_IN_FLIGHT_PER_USER', 2, 0, 1000),
    engineConcurrency: integer(env, 'APPSTORE_ENGINE_CONCURRENCY', 4, 1, 1000),
    tillerStorage: {
      qps: integer(env, 'APPSTORE_TILLER_STORAGE_QPS', 5, 0, 10_000),
      burst: integer(env, 'APPSTORE_TILLER_STORAGE_BURST', 10, 1, 100_000),
    },
  };
}
