/**
 * What a change must pass before it starts: the caller's fair share (at most
 * `maxInFlightPerUser` changes of one user at once in this replica; beyond,
 * ResourceExhausted, 429 with Retry-After) and, for an install, the release
 * quotas (release-quotas.ts). The change then runs as its user's
 * (change-owner.ts), which the fair engine queue reads. Reads never come here.
 */
import { AppStoreError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import { asChangeOf } from './change-owner.js';
import type { ReleaseQuotas } from './release-quotas.js';

export interface ChangeAdmissionOptions {
  /** Changes one user may have in flight at once; 0: unlimited. */
  readonly maxInFlightPerUser: number;
  readonly quotas?: ReleaseQuotas;
  /** Seconds a refused caller is told to wait (Retry-After). */
  readonly retryAfterSeconds: () => number;
}

export type ChangeAction = 'install' | 'upgrade' | 'rollback' | 'delete';

export class ChangeAdmission {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly options: ChangeAdmissionOptions) {}

  /** Changes of this user in flight now. */
  inFlightOf(userId: string): number {
    return this.inFlight.get(userId) ?? 0;
  }

  async admit<T>(principal: Principal, change: { action: ChangeAction; adminGroups?: readonly string[] }, run: () => Promise<T>): Promise<T> {
    const { maxInFlightPerUser, quotas } = this.options;
    const mine = this.inFlightOf(principal.id);
    if (maxInFlightPerUser > 0 && mine >= maxInFlightPerUser) {
      const retryAfterSeconds = this.options.retryAfterSeconds();
      throw new AppStoreError(
        'ResourceExhausted',
        `${principal.id} already has ${mine} changes in flight, the most one user may have at once; try again in ${retryAfterSeconds} s`,
        { retryAfterSeconds },
      );
    }
    this.inFlight.set(principal.id, mine + 1);
    try {
      if (change.action === 'install' && quotas) await quotas.assertMayInstall(principal, change.adminGroups ?? []);
      return await asChangeOf(principal.id, run);
    } finally {
      const left = this.inFlightOf(principal.id) - 1;
      if (left > 0) this.inFlight.set(principal.id, left);
      else this.inFlight.delete(principal.id);
    }
  }
}
