/**
 * A model of Tiller's storage rate limiter, so that the store can pace its
 * changes instead of letting one user drain it. Tiller v2.17 sends all its
 * storage requests through one Kubernetes client at client-go's defaults (5
 * requests a second, burst 10; no flag changes it); once the burst is spent
 * every request of every caller waits its turn, ~200 ms each. A change that
 * arrives while the bucket is full takes ~90 ms; one that arrives while it is
 * empty takes ~1 s whatever the store does afterwards.
 *
 * So a user who keeps changing (a change started within the last refill
 * period) may spend tokens only while `reserve` tokens stay in the bucket for
 * someone else; a user who has been quiet may spend the reserve. The steady
 * throughput is unchanged (the bucket refills at the same rate either way);
 * what changes is that the one-off change of another user finds the tokens it
 * needs. The model is an estimate: it counts what the store asks of Tiller,
 * not what other clients of the same Tiller spend.
 */
export interface BudgetOptions {
  /** Tokens a second (Tiller: 5). */
  readonly rate: number;
  /** Bucket size (Tiller: 10). */
  readonly burst: number;
  /** Tokens kept for a user who is not busy; one change's cost. */
  readonly reserve: number;
  readonly now?: () => number;
}

export class TillerBudget {
  private tokens: number;
  private updatedAt: number;
  private readonly lastStart = new Map<string, number>();
  private readonly now: () => number;
  private off = false;

  constructor(private readonly options: BudgetOptions) {
    this.now = options.now ?? (() => performance.now());
    this.tokens = options.burst;
    this.updatedAt = this.now();
  }

  /** Whether a change of this cost by this user may start now. */
  allows(user: string, cost: number): boolean {
    return this.msUntil(user, cost) === 0;
  }

  /** No more pacing: the engine that answers is not Tiller (a Helm engine has no storage limiter of 5 a second). */
  stop(): void {
    this.off = true;
  }

  /** Milliseconds until {@link allows} turns true, if nobody else spends meanwhile. */
  msUntil(user: string, cost: number): number {
    if (this.off) return 0;
    const needed = Math.min(this.options.burst, cost + (this.busy(user) ? this.options.reserve : 0));
    const missing = needed - this.level();
    return missing <= 0 ? 0 : Math.ceil((missing / this.options.rate) * 1000);
  }

  /** A change starts: its cost is spent and its user counts as busy for one refill period. */
  spend(user: string, cost: number): void {
    this.tokens = this.level() - cost;
    this.lastStart.set(user, this.now());
  }

  /** A read (never held back) spends what it spends; the bucket may go into debt. */
  charge(cost: number): void {
    this.tokens = this.level() - cost;
  }

  /** Seconds for `changes` changes of `cost` at the steady rate. */
  secondsFor(changes: number, cost: number): number {
    if (this.off) return 1;
    return Math.ceil((changes * cost) / this.options.rate);
  }

  private busy(user: string): boolean {
    const started = this.lastStart.get(user);
    return started !== undefined && this.now() - started < (this.options.burst / this.options.rate) * 1000;
  }

  private level(): number {
    const now = this.now();
    this.tokens = Math.min(this.options.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.options.rate);
    this.updatedAt = now;
    // Forget users quiet for longer than a refill period, so the map stays small.
    if (this.lastStart.size > 1000) for (const [user] of this.lastStart) if (!this.busy(user)) this.lastStart.delete(user);
    return this.tokens;
  }
}
