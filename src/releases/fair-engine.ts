/**
 * The ReleaseEngine port behind a fair queue: changes (install, upgrade,
 * rollback, uninstall) wait their user's turn (see fair-queue.ts) and are
 * paced against Tiller's storage budget (see tiller-budget.ts); reads and dry
 * runs go straight through, charged to the budget but never held back. The
 * user is the one whose change is running (change-owner.ts); the store's own
 * work (reconciliation) has a lane of its own.
 */
import { currentChangeOwner } from './change-owner.js';
import { FairQueue } from './fair-queue.js';
import type { TillerBudget } from './tiller-budget.js';
import type { ReleaseEngine } from './types.js';

/**
 * Tiller storage requests of one change on Tiller v2.17: an install makes
 * four (name check, history-max check, create, update), an upgrade or a
 * rollback five or six (it also marks the previous revision superseded), a
 * purging delete three plus one per revision. Costed high rather than low:
 * too high only slows a flood by a fifth, too low lets it drain the bucket
 * this model exists to keep from draining.
 */
export const CHANGE_COST = 5;
/** A read of Tiller's storage (history, content, list, a dry run's name check). */
const READ_COST = 1;
/** The lane of the store's own changes (reconciliation). */
const STORE_LANE = '\u0000store';

export class FairEngine implements ReleaseEngine {
  private readonly queue: FairQueue;
  private readonly budget: TillerBudget | undefined;

  constructor(
    private readonly inner: ReleaseEngine,
    options: { readonly concurrency: number; readonly budget?: TillerBudget },
  ) {
    this.queue = new FairQueue(options);
    this.budget = options.budget;
  }

  /** Seconds until the changes waiting now, and one more, have reached Tiller at its pace (at least 1): a Retry-After. */
  retryAfterSeconds(): number {
    return Math.max(1, this.budget?.secondsFor(this.queue.waiting + 1, CHANGE_COST) ?? 1);
  }

  profile() {
    return this.inner.profile();
  }

  install(input: Parameters<ReleaseEngine['install']>[0]) {
    if (input.dryRun) return this.read(() => this.inner.install(input));
    return this.change(() => this.inner.install(input));
  }

  upgrade(input: Parameters<ReleaseEngine['upgrade']>[0]) {
    if (input.dryRun) return this.read(() => this.inner.upgrade(input));
    return this.change(() => this.inner.upgrade(input));
  }

  rollback(input: Parameters<ReleaseEngine['rollback']>[0]) {
    return this.change(() => this.inner.rollback(input));
  }

  uninstall(name: string, options?: { purge?: boolean; disableHooks?: boolean; description?: string }) {
    return this.change(() => this.inner.uninstall(name, options));
  }

  content(name: string, revision?: number, read?: { atLeast?: number }) {
    return this.read(() => this.inner.content(name, revision, read));
  }

  history(name: string, max?: number, read?: { atLeast?: number }) {
    return this.read(() => this.inner.history(name, max, read));
  }

  list(input?: { statusCodes?: readonly number[] }) {
    return this.read(() => this.inner.list(input));
  }

  private change<T>(call: () => Promise<T>): Promise<T> {
    return this.queue.run(currentChangeOwner() ?? STORE_LANE, CHANGE_COST, call);
  }

  private read<T>(call: () => Promise<T>): Promise<T> {
    this.budget?.charge(READ_COST);
    return call();
  }
}
