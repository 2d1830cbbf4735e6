/**
 * Limits failed sign-ins per client (its network address), so that nobody
 * can try token after token: after `perMinute` failures within a minute the
 * client is refused, without asking any authenticator, until the oldest of
 * those failures is a minute old. Successes are not counted.
 *
 * Each client keeps at most `perMinute` timestamps (a sliding window, so no
 * burst of twice the limit at a window's edge), and the clients are held in a
 * bounded LRU whose entries expire a minute after their last failure: a flood
 * of addresses evicts the quietest ones instead of growing memory.
 */
import { LRUCache } from 'lru-cache';

export interface FailureLimiterOptions {
  /** Failures a client may have within a minute; 0 turns the limit off. */
  readonly perMinute: number;
  /** Clients remembered at once. */
  readonly maxClients: number;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

const WINDOW_MS = 60_000;

export class FailureLimiter {
  private readonly clients: LRUCache<string, number[]>;
  private readonly now: () => number;

  constructor(private readonly options: FailureLimiterOptions) {
    this.now = options.now ?? Date.now;
    this.clients = new LRUCache({ max: options.maxClients, ttl: WINDOW_MS, perf: { now: () => this.now() } });
  }

  /** Seconds the client must wait before it may try again, or undefined when it may try now. */
  retryAfterSeconds(client: string): number | undefined {
    if (this.options.perMinute <= 0) return undefined;
    const failures = this.recent(client);
    if (failures.length < this.options.perMinute) return undefined;
    const oldest = failures[0] ?? this.now();
    return Math.max(1, Math.ceil((oldest + WINDOW_MS - this.now()) / 1000));
  }

  /** Counts a failure; true when it is the one that reaches the limit (worth a warning). */
  recordFailure(client: string): boolean {
    if (this.options.perMinute <= 0) return false;
    const failures = this.recent(client);
    failures.push(this.now());
    if (failures.length > this.options.perMinute) failures.splice(0, failures.length - this.options.perMinute);
    this.clients.set(client, failures);
    return failures.length === this.options.perMinute;
  }

  private recent(client: string): number[] {
    const since = this.now() - WINDOW_MS;
    return (this.clients.get(client) ?? []).filter((at) => at > since);
  }
}
