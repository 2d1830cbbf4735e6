/**
 * Runs reconciliation's short pass (pending and deleting records only) when
 * the watch shows a record in one of those states, instead of waiting for
 * the rare full pass. A record is pending or deleting for the few seconds a
 * change takes under its Lease, so the pass runs a while after the event
 * (`delayMs`): by then a change that finished has settled its record (and the
 * pass, finding nothing unsettled, does not even ask Tiller), and one that
 * crashed has left it for the pass to repair. Events in the meantime join
 * the pass already planned; one pass runs at a time.
 */
import type { Logger } from '../observability/logger.js';
import type { ReleaseSummary } from './types.js';

export interface RecordChanges {
  onChange(listener: (id: string, summary: ReleaseSummary | undefined) => void): void;
}

export class UnsettledRecords {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    changes: RecordChanges,
    private readonly pass: () => Promise<unknown>,
    private readonly log: Logger,
    private readonly delayMs = 60_000,
  ) {
    changes.onChange((_id, summary) => {
      if (summary && summary.state !== 'deployed') this.plan();
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private plan(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.pass()
        .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'reconciliation of unsettled records failed; the full pass tries again'))
        .finally(() => {
          this.running = undefined;
          if (this.again) {
            this.again = false;
            this.plan();
          }
        });
    }, this.delayMs);
    this.timer.unref();
  }
}
