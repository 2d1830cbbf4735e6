/**
 * Bearer tokens from the static token file: development users (`make run`'s
 * alice and bob) and service callers. Every entry is compared in constant
 * time, without stopping at the first match, so response times tell nothing
 * about how close a guess was. The entries are replaced when the file
 * changes; a request sees either the old set or the new one, never a mix.
 */
import { timingSafeEqual } from 'node:crypto';
import type { StaticTokenEntry } from './static-token-file.js';
import { sha256 } from './token-hash.js';
import type { Authenticated, Authenticator, Credentials } from './types.js';

export class StaticTokenAuthenticator implements Authenticator {
  readonly name = 'static' as const;
  private entries: ReadonlyArray<{ digest: Buffer; entry: StaticTokenEntry }> = [];

  constructor(entries: readonly StaticTokenEntry[]) {
    this.replace(entries);
  }

  /** From now on only these tokens are recognised. */
  replace(entries: readonly StaticTokenEntry[]): void {
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
