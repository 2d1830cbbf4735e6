/**
 * Release quotas: how many releases one user may own, and how many releases
 * may name one group in their adminGroups (what a group shares, whoever
 * installed it). Checked on install, before anything is made; counted from
 * the records' summaries (metadata only: no tenant's values are read), which
 * every replica shares, so the count holds across replicas. Releases being
 * deleted do not count.
 *
 * The check and the record's creation are not one atomic step: installs of
 * one user running at the same moment may each pass the check, so a quota
 * can be exceeded by at most the installs in flight at once (bounded by the
 * fair share's per-user limit, see change-admission.ts).
 */
import { AppStoreError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { ReleaseStore, ReleaseSummary } from './types.js';

export interface QuotaLimits {
  /** Releases one user may own; 0: unlimited. */
  readonly releasesPerUser: number;
  /** Releases that may name one group in adminGroups; 0: unlimited. */
  readonly releasesPerGroup: number;
}

export interface Usage {
  readonly used: number;
  /** 0: unlimited. */
  readonly limit: number;
}

export interface QuotaUsage {
  readonly releases: Usage;
  readonly groups: ReadonlyArray<Usage & { readonly group: string }>;
}

export class ReleaseQuotas {
  constructor(
    private readonly store: Pick<ReleaseStore, 'summaries'>,
    readonly limits: QuotaLimits,
  ) {}

  /** The caller's usage: their own releases, and each of their groups'. */
  async usage(principal: Principal): Promise<QuotaUsage> {
    const records = await this.counted();
    return {
      releases: { used: ownedBy(records, principal.id), limit: this.limits.releasesPerUser },
      groups: [...new Set(principal.groups)].map((group) => ({ group, used: naming(records, group), limit: this.limits.releasesPerGroup })),
    };
  }

  /**
   * PermissionDenied (403) when one more release owned by the caller, or
   * naming any of these groups, would pass a quota; the error's details name
   * the quota, its limit and its usage.
   */
  async assertMayInstall(principal: Principal, adminGroups: readonly string[]): Promise<void> {
    const { releasesPerUser, releasesPerGroup } = this.limits;
    if (releasesPerUser === 0 && (releasesPerGroup === 0 || adminGroups.length === 0)) return;
    const records = await this.counted();
    const owned = ownedBy(records, principal.id);
    if (releasesPerUser > 0 && owned >= releasesPerUser) {
      throw new AppStoreError(
        'PermissionDenied',
        `quota releases-per-user reached: ${principal.id} owns ${owned} releases and the limit is ${releasesPerUser}; delete one to install another`,
        { quota: { name: 'releases-per-user', limit: releasesPerUser, used: owned } },
      );
    }
    if (releasesPerGroup === 0) return;
    for (const group of new Set(adminGroups)) {
      const used = naming(records, group);
      if (used >= releasesPerGroup) {
        throw new AppStoreError(
          'PermissionDenied',
          `quota releases-per-group reached: ${used} releases name group ${group} in adminGroups and the limit is ${releasesPerGroup}`,
          { quota: { name: 'releases-per-group', group, limit: releasesPerGroup, used }, parameter: 'adminGroups' },
        );
      }
    }
  }

  private async counted(): Promise<ReleaseSummary[]> {
    return (await this.store.summaries()).filter((r) => r.state !== 'deleting');
  }
}

const ownedBy = (records: readonly ReleaseSummary[], owner: string) => records.filter((r) => r.owner === owner).length;
const naming = (records: readonly ReleaseSummary[], group: string) => records.filter((r) => r.adminGroups.includes(group)).length;
