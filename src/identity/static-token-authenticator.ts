/**
 * Bearer tokens from the static token file: development users (`make run`'s
 * alice and bob) and service callers. Every entry is compared in constant
 * time, without stopping at the first match, so response times tell nothing
 * about how close a guess was.
 */
import { timingSafeEqual } from 'node:crypto';
import type { StaticTokenEntry } from './static-token-file.js';
import { sha256 } from './token-hash.js';
import type { Authenticated, Authenticator, Credentials } from './types.js';

export class StaticTokenAuthenticator implements Authenticator {
  readonly name = 'static' as const;
  private readonly entries: ReadonlyArray<{ digest: Buffer; entry: StaticTokenEntry }>;

  constructor(entries: readonly StaticTokenEntry[]) {
    this.entries = entries.map((entry) => ({ digest: sha256(entry.token), entry }));
  }

  async authenticate(credentials: Credentials): Promise<Authenticated | undefined> {
    if (!credentials.bearer) return undefined;
    const digest = sha256(credentials.bearer);
    let match: StaticTokenEntry | undefined;
    for (const candidate of this.entries) {
      if (timingSafeEqual(candidate.digest, digest)) match = candidate.entry;
    }
    if (match === undefined) return undefined;
    return { id: match.userId, groups: match.groups, kind: 'user', source: this.name };
  }
}
