/**
 * The door in front of the authenticator chain that both protocols pass
 * through: a client that failed to sign in too often within a minute is
 * refused (ResourceExhausted: 429 / RESOURCE_EXHAUSTED) before any
 * authenticator is asked, and every failed sign-in is an audit record with
 * the fingerprint of the token presented and the client's address. A request
 * without credentials is not a sign-in attempt: it is neither counted nor
 * audited (it is still refused while its client is blocked).
 */
import type { Principal } from '../domain/principal.js';
import type { Logger } from '../observability/logger.js';
import type { AuditLog } from './audit.js';
import type { AuthenticatorChain } from './authenticator-chain.js';
import { GATEKEEPER_TOKEN_HEADER, GATEKEEPER_USER_HEADER } from './authenticator-chain.js';
import type { FailureLimiter } from './failure-limiter.js';
import { isCode, tooManyFailures } from './identity-errors.js';
import { tokenFingerprint } from './token-hash.js';
import type { Credentials } from './types.js';

/** The address failures are counted under when the transport could not tell one. */
const UNKNOWN_CLIENT = 'unknown';

export interface SignInCounters {
  /** Sign-ins refused because the credentials were not valid. */
  readonly failed: number;
  /** Attempts refused without trying them, because their client had failed too often. */
  readonly limited: number;
}

export class FailedSignIns {
  private failed = 0;
  private limited = 0;

  constructor(
    private readonly chain: Pick<AuthenticatorChain, 'authenticate'>,
    private readonly limiter: FailureLimiter,
    private readonly audit: AuditLog,
    private readonly logger: Logger,
  ) {}

  async authenticate(credentials: Credentials): Promise<Principal> {
    const client = credentials.client ?? UNKNOWN_CLIENT;
    const retryAfter = this.limiter.retryAfterSeconds(client);
    if (retryAfter !== undefined) {
      this.limited++;
      throw tooManyFailures(retryAfter);
    }
    try {
      return await this.chain.authenticate(credentials);
    } catch (err) {
      const token = presentedToken(credentials);
      if (isCode(err, 'Unauthenticated') && token !== undefined) {
        this.failed++;
        const reason = typeof err.details.reason === 'string' ? err.details.reason : err.message;
        this.audit.record({ action: 'authenticate', outcome: 'denied', reason, tokenHash: tokenFingerprint(token), client });
        if (this.limiter.recordFailure(client)) {
          this.logger.warn({ client }, 'too many failed sign-ins: the client is refused for up to a minute');
        }
      }
      throw err;
    }
  }

  counters(): SignInCounters {
    return { failed: this.failed, limited: this.limited };
  }
}

/** The secret the caller presented, if any: a bearer token, the user token the gatekeeper passes on, or its password. */
function presentedToken({ bearer, basic, headers }: Credentials): string | undefined {
  if (bearer !== undefined) return bearer;
  const gatekeeperToken = headers[GATEKEEPER_TOKEN_HEADER];
  if (gatekeeperToken !== undefined) return gatekeeperToken;
  if (basic !== undefined) return basic.password;
  return headers[GATEKEEPER_USER_HEADER] === undefined ? undefined : '';
}
