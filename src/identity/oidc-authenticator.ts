/**
 * Tokens of a generic OpenID Provider. JWT access tokens are verified here
 * with jose — signature against the issuer's JWKS, iss, aud, exp and nbf, and
 * an allow-list of asymmetric algorithms (so neither `none` nor an HS256
 * token "signed" with the provider's public key can pass). Opaque tokens go to
 * the provider's RFC 7662 introspection endpoint when client credentials are
 * configured.
 *
 * Which tokens are "mine": a JWT whose (unverified) `iss` is this issuer —
 * other JWTs, such as Kubernetes service-account tokens, are left to the
 * authenticators after this one — and an opaque token the provider reports
 * active.
 */
import * as oidc from 'openid-client';
import { decodeJwt, decodeProtectedHeader, errors as jose, jwtVerify } from 'jose';
import type { AppStoreError } from '../domain/errors.js';
import type { OidcConfig } from './identity-config.js';
import { invalidToken, upstreamUnavailable } from './identity-errors.js';
import { principalFromClaims } from './oidc-claims.js';
import type { OidcIssuer } from './oidc-issuer.js';
import type { Authenticated, Authenticator, Credentials } from './types.js';

/** jose errors that say the token is bad; any other failure means the provider could not be asked. */
const TOKEN_FAULTS = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

export class OidcAuthenticator implements Authenticator {
  readonly name = 'oidc' as const;

  constructor(
    private readonly config: OidcConfig,
    private readonly issuer: OidcIssuer,
  ) {}

  async authenticate(credentials: Credentials): Promise<Authenticated | undefined> {
    const token = credentials.bearer;
    if (!token) return undefined;
    if (looksLikeJws(token)) return this.verifyJwt(token);
    if (this.config.introspection) return this.introspect(token);
    return undefined;
  }

  private async verifyJwt(token: string): Promise<Authenticated | undefined> {
    let unverifiedIssuer: unknown;
    try {
      unverifiedIssuer = decodeJwt(token).iss;
    } catch {
      return undefined;
    }
    if (unverifiedIssuer !== this.config.issuer) return undefined;

    const { jwks } = await this.issuer.get();
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: [...this.config.algorithms],
        clockTolerance: this.config.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      return principalFromClaims(payload, payload.sub ?? '', this.config.groupsClaim, this.name);
    } catch (err) {
      throw joseFailure(err);
    }
  }

  private async introspect(token: string): Promise<Authenticated | undefined> {
    const { configuration } = await this.issuer.get();
    let response: oidc.IntrospectionResponse;
    try {
      response = await oidc.tokenIntrospection(configuration, token, { token_type_hint: 'access_token' });
    } catch (err) {
      throw upstreamUnavailable('the OpenID Provider (introspection)', err);
    }
    if (!response.active) return undefined;
    if (response.iss !== undefined && response.iss !== this.config.issuer) throw invalidToken('the token was issued by another issuer');
    const audiences = typeof response.aud === 'string' ? [response.aud] : (response.aud ?? []);
    if (!audiences.includes(this.config.audience)) throw invalidToken('the token is not meant for this audience');
    // Refresh tokens introspect as active too; only (non sender-constrained) access tokens are bearer credentials.
    if (response.token_type !== undefined && response.token_type.toLowerCase() !== 'bearer') {
      throw invalidToken(`a ${response.token_type} token is not a bearer access token`);
    }
    if (response.nbf !== undefined && response.nbf * 1000 > Date.now() + this.config.clockToleranceSeconds * 1000) {
      throw invalidToken('the token is not yet valid');
    }
    const subject = response.sub ?? response.client_id;
    if (!subject) throw invalidToken('the token has no subject');
    return principalFromClaims(response, subject, this.config.groupsClaim, this.name);
  }
}

/** A compact JWS: three dot-separated parts whose first decodes to a JOSE header. */
function looksLikeJws(token: string): boolean {
  if (token.split('.').length !== 3) return false;
  try {
    decodeProtectedHeader(token);
    return true;
  } catch {
    return false;
  }
}

function joseFailure(err: unknown): AppStoreError {
  if (err instanceof jose.JOSEError && TOKEN_FAULTS.has(err.code)) {
    const description =
      err instanceof jose.JWKSNoMatchingKey
        ? 'no key of the issuer matches the token (unknown kid)'
        : err instanceof jose.JWSSignatureVerificationFailed
          ? 'the signature does not verify'
          : err instanceof jose.JOSEAlgNotAllowed
            ? 'the signing algorithm is not allowed'
            : err.message;
    return invalidToken(description, err);
  }
  return upstreamUnavailable('the OpenID Provider (JWKS)', err);
}
