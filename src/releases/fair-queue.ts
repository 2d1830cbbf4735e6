/**
 * A small fair queue: one lane per user, served by start-time fair queueing
 * (each job is tagged, on arrival, with when its lane's share lets it start:
 * after the lane's earlier jobs, but never before the job now starting), at
 * most `concurrency` jobs running at once, and (optionally) a job starts only
 * when the Tiller budget allows it. One user's backlog therefore never sits
 * ahead of another user's single change: a newcomer is tagged with the
 * current virtual time and starts before the rest of the backlog. Written here
 * rather than taken from a library because none of the usual ones (p-queue,
 * bottleneck) combines per-key fairness with a shared, cost-based budget.
 */
import type { TillerBudget } from './tiller-budget.js';

interface Job {
  readonly cost: number;
  /** Virtual start time: the smallest starts first. */
  readonly tag: number;
  readonly start: () => void;
}

export interface FairQueueOptions {
  /** Jobs running at once, across all lanes. */
  readonly concurrency: number;
  readonly budget?: TillerBudget;
}

export class FairQueue {
  private readonly lanes = new Map<string, Job[]>();
  /** Per lane with jobs queued or recently tagged: the virtual time its queued work ends. */
  private readonly laneEnd = new Map<string, number>();
  private virtualTime = 0;
  private running = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: FairQueueOptions) {}

  /** Jobs waiting, across all lanes. */
  get waiting(): number {
    let n = 0;
    for (const jobs of this.lanes.values()) n += jobs.length;
    return n;
  }

  /** Runs fn in this lane's turn; the job counts as running until fn settles. */
  async run<T>(lane: string, cost: number, fn: () => Promise<T>): Promise<T> {
    await new Promise<void>((start) => {
      const tag = Math.max(this.virtualTime, this.laneEnd.get(lane) ?? 0);
      this.laneEnd.set(lane, tag + cost);
      const job = { cost, tag, start };
      const jobs = this.lanes.get(lane);
      if (jobs) jobs.push(job);
      else this.lanes.set(lane, [job]);
      this.pump();
    });
    try {
      return await fn();
    } finally {
      this.running--;
      this.pump();
    }
  }

  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.running < this.options.concurrency && this.lanes.size > 0) {
      const lane = this.nextStartable();
      if (lane === undefined) {
        this.wakeWhenAffordable();
        return;
      }
      const jobs = this.lanes.get(lane) as Job[];
      const job = jobs.shift() as Job;
      if (jobs.length === 0) this.lanes.delete(lane);
      this.virtualTime = job.tag;
      this.options.budget?.spend(lane, job.cost);
      this.running++;
      job.start();
    }
    // Lanes with nothing queued whose share has been caught up with are forgotten.
    for (const [lane, end] of this.laneEnd) if (!this.lanes.has(lane) && end <= this.virtualTime) this.laneEnd.delete(lane);
  }

  /** The lane, among those whose next job the budget allows, whose next job has the smallest tag. */
  private nextStartable(): string | undefined {
    let best: [string, number] | undefined;
    for (const [lane, jobs] of this.lanes) {
      const head = jobs[0];
      if (!head || (best && head.tag >= best[1])) continue;
      if (this.options.budget && !this.options.budget.allows(lane, head.cost)) continue;
      best = [lane, head.tag];
    }
    return best?.[0];
  }

  private wakeWhenAffordable(): void {
    const budget = this.options.budget;
    if (!budget) return;
    let wait = Infinity;
    for (const [lane, jobs] of this.lanes) {
      const head = jobs[0];
      if (head) wait = Math.min(wait, budget.msUntil(lane, head.cost));
    }
    if (Number.isFinite(wait)) this.timer = setTimeout(() => this.pump(), Math.max(1, wait));
  }
}
