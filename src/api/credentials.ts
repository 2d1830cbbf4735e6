/**
 * Credentials as both protocols carry them (HTTP headers, gRPC metadata), and
 * the function that turns them into a Principal. The identity room implements
 * it; the API layers only extract and pass.
 */
import type { Principal } from '../domain/principal.js';

export interface Credentials {
  readonly bearer?: string;
  readonly basic?: { readonly username: string; readonly password: string };
  /** Lower-case header (or metadata) names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The client's network address (REST: req.ip; gRPC: the peer's address), for limiting failed attempts. */
  readonly client?: string;
}

/** Resolves credentials to a Principal; throws AppStoreError Unauthenticated or Unavailable. */
export type Authenticate = (credentials: Credentials) => Promise<Principal>;

/** Parses an Authorization header value; anything unrecognised yields neither bearer nor basic. */
export function credentialsFrom(headers: Readonly<Record<string, string | undefined>>): Credentials {
  const authorization = headers.authorization?.trim() ?? '';
  const [scheme = '', ...rest] = authorization.split(/\s+/);
  const value = rest.join(' ');
  if (/^bearer$/i.test(scheme)) return { bearer: value, headers };
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) return { basic: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }, headers };
  }
  return { headers };
}

/** The token that acts for the caller: the bearer token, or the one the Dataporten API Gatekeeper passes on. */
export function callerToken(credentials: Credentials): string | undefined {
  return credentials.bearer ?? (credentials.basic ? credentials.headers['x-dataporten-token'] : undefined);
}

export function hasCredentials(credentials: Credentials): boolean {
  return credentials.bearer !== undefined || credentials.basic !== undefined || Boolean(credentials.headers['x-dataporten-userid']);
}
