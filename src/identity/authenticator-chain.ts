/**
 * The authenticators, tried in their configured order, behind the principal
 * cache. The rules: the first authenticator that recognises the credentials
 * decides (a Principal, or Unauthenticated); one whose upstream is down is
 * skipped, but if nobody else recognises the credentials the answer is
 * Unavailable (503), because they may well have been valid. Concurrent
 * requests with the same credentials share one lookup.
 */
import { AppStoreError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { Logger } from '../observability/logger.js';
import { invalidToken, isCode, missingCredentials } from './identity-errors.js';
import { withoutExpiry, type PrincipalCache } from './principal-cache.js';
import { credentialKey } from './token-hash.js';
import type { Authenticated, Authenticator, Credentials } from './types.js';

/** The headers the Dataporten API Gatekeeper adds (lower-case, as both protocols deliver them). */
export const GATEKEEPER_USER_HEADER = 'x-dataporten-userid';
export const GATEKEEPER_TOKEN_HEADER = 'x-dataporten-token';

export class AuthenticatorChain {
  private readonly inFlight = new Map<string, Promise<Principal>>();

  constructor(
    private readonly authenticators: readonly Authenticator[],
    private readonly cache: PrincipalCache,
    private readonly logger?: Logger,
  ) {}

  /** A Principal, or AppStoreError Unauthenticated (401) / Unavailable (503). */
  async authenticate(credentials: Credentials): Promise<Principal> {
    const { bearer, basic, headers } = credentials;
    const gatekeeperUser = headers[GATEKEEPER_USER_HEADER];
    const gatekeeperToken = headers[GATEKEEPER_TOKEN_HEADER];
    if (bearer === undefined && basic === undefined && gatekeeperUser === undefined && gatekeeperToken === undefined) {
      throw missingCredentials();
    }
    if (bearer !== undefined && bearer.trim() === '') throw invalidToken('the bearer token is empty');

    const key = credentialKey([bearer, basic?.username, basic?.password, gatekeeperUser, gatekeeperToken]);
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      if ('error' in cached) throw cached.error;
      return cached.principal;
    }
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;

    const lookup = this.lookup(key, credentials).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, lookup);
    return lookup;
  }

  private async lookup(key: string, credentials: Credentials): Promise<Principal> {
    const begun = this.cache.begin();
    let outage: AppStoreError | undefined;
    for (const authenticator of this.authenticators) {
      let result: Authenticated | undefined;
      try {
        result = await authenticator.authenticate(credentials);
      } catch (err) {
        if (isCode(err, 'Unavailable')) {
          this.logger?.warn({ authenticator: authenticator.name, upstream: err.details.upstream }, 'identity upstream unavailable');
          outage ??= err;
          continue;
        }
        if (isCode(err, 'Unauthenticated')) {
          this.logger?.info({ authenticator: authenticator.name, reason: err.details.reason }, 'credentials rejected');
          this.cache.rememberFailure(key, err, begun);
        }
        throw err;
      }
      if (result !== undefined) {
        this.cache.rememberSuccess(key, result, begun);
        return withoutExpiry(result);
      }
    }
    if (outage !== undefined) throw outage;
    const error = invalidToken('the credentials were not recognised');
    this.cache.rememberFailure(key, error, begun);
    throw error;
  }
}
