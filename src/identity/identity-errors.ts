/**
 * The errors identity throws, with the RFC 6750 challenge the HTTP layer puts
 * in `WWW-Authenticate` (details.wwwAuthenticate). Messages and descriptions
 * never contain the token itself.
 */
import { AppStoreError } from '../domain/errors.js';

const REALM = 'appstore';

/** Bearer challenge values must not break out of their quoted-string. */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, "'").replace(/[\r\n]+/g, ' ')}"`;
}

/**
 * No credentials at all: RFC 6750 §3.1 says the challenge then carries no
 * error code.
 */
export function missingCredentials(): AppStoreError {
  return new AppStoreError('Unauthenticated', 'credentials are required', {
    wwwAuthenticate: `Bearer realm=${quoted(REALM)}`,
  });
}

/** Credentials were presented but are not valid (expired, forged, revoked, unknown). */
export function invalidToken(description: string, cause?: unknown): AppStoreError {
  return new AppStoreError(
    'Unauthenticated',
    `invalid credentials: ${description}`,
    {
      wwwAuthenticate: `Bearer realm=${quoted(REALM)}, error="invalid_token", error_description=${quoted(description)}`,
      reason: description,
    },
    { cause },
  );
}

/**
 * An identity upstream (Dataporten, the OpenID Provider, the Kubernetes API)
 * could not answer: the caller may be perfectly valid, so this is 503, not 401.
 */
export function upstreamUnavailable(upstream: string, cause?: unknown): AppStoreError {
  const why = cause instanceof Error ? cause.message : cause === undefined ? 'no answer' : String(cause);
  return new AppStoreError('Unavailable', `${upstream} is unavailable`, { upstream: `${upstream}: ${why}` }, { cause });
}

/** A client that failed to sign in too often: refused (429) for retryAfterSeconds without trying its credentials. */
export function tooManyFailures(retryAfterSeconds: number): AppStoreError {
  return new AppStoreError(
    'ResourceExhausted',
    `too many failed sign-ins from this address; try again in ${retryAfterSeconds} s`,
    { retryAfterSeconds },
  );
}

export function isCode(err: unknown, code: AppStoreError['code']): err is AppStoreError {
  return err instanceof AppStoreError && err.code === code;
}
