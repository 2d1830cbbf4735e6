/**
 * Remembers authentication outcomes by a sha256 of the credentials (never
 * the credentials themselves): a success for a short TTL that never reaches
 * past the token's own expiry, a rejection only briefly (so a burst of bad
 * requests does not hammer the upstream, yet a fixed token works again soon).
 * Outages are never remembered: the next request asks the upstream again.
 * When a credentials file changes, forget() drops what it may have decided,
 * so that a revoked token is not kept alive by the cache; lookups that were
 * already under way then are not remembered either.
 */
import { LRUCache } from 'lru-cache';
import type { AppStoreError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { Authenticated } from './types.js';

export interface PrincipalCacheOptions {
  readonly successTtlMs: number;
  readonly failureTtlMs: number;
  readonly maxEntries: number;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

type Entry =
  | { readonly outcome: 'success'; readonly principal: Principal; readonly until: number }
  | { readonly outcome: 'failure'; readonly error: AppStoreError; readonly until: number };

export type CachedOutcome = { readonly principal: Principal } | { readonly error: AppStoreError };

export class PrincipalCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly now: () => number;
  private generation = 0;

  constructor(private readonly options: PrincipalCacheOptions) {
    this.now = options.now ?? Date.now;
    this.entries = new LRUCache({ max: options.maxEntries });
  }

  get(key: string): CachedOutcome | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.outcome === 'success' ? { principal: entry.principal } : { error: entry.error };
  }

  /** A token for remember*: outcomes of lookups that began before a forget() are dropped. */
  begin(): number {
    return this.generation;
  }

  /** Drops every success from that authenticator and every failure (a token added to a file must work at once). */
  forget(source: Principal['source']): void {
    this.generation++;
    const stale = [...this.entries.entries()].filter(([, entry]) => entry.outcome === 'failure' || entry.principal.source === source);
    for (const [key] of stale) this.entries.delete(key);
  }

  rememberSuccess(key: string, authenticated: Authenticated, begun = this.generation): void {
    if (begun !== this.generation) return;
    const now = this.now();
    const until = Math.min(now + this.options.successTtlMs, authenticated.expiresAt ?? Number.POSITIVE_INFINITY);
    if (until <= now) return;
    this.entries.set(key, { outcome: 'success', principal: withoutExpiry(authenticated), until }, { ttl: until - now });
  }

  rememberFailure(key: string, error: AppStoreError, begun = this.generation): void {
    if (this.options.failureTtlMs <= 0 || begun !== this.generation) return;
    const until = this.now() + this.options.failureTtlMs;
    this.entries.set(key, { outcome: 'failure', error, until }, { ttl: this.options.failureTtlMs });
  }
}

/** The Principal alone: the expiry is the cache's business, not the callers'. */
export function withoutExpiry(authenticated: Authenticated): Principal {
  const { id, name, email, groups, kind, source } = authenticated;
  return { id, ...(name !== undefined && { name }), ...(email !== undefined && { email }), groups, kind, source };
}
