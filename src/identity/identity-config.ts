/**
 * The identity room's environment variables → one validated IdentityConfig.
 * Like src/config.ts it fails at start, naming the variable, rather than at
 * the first request; files named here are read when the service is built
 * (and re-read when they change).
 */
import { ConfigError } from '../config.js';
import { boolean, httpUrl, integer, optional, type Env } from '../env-readers.js';
import { AUTHENTICATOR_NAMES, type AuthenticatorName } from './types.js';

export interface OidcConfig {
  /** Exact issuer identifier; discovery is at `${issuer}/.well-known/openid-configuration`. */
  readonly issuer: string;
  /** The `aud` this store accepts (its resource indicator / API identifier). */
  readonly audience: string;
  readonly groupsClaim: string;
  readonly algorithms: readonly string[];
  /** Client credentials for RFC 7662 introspection; without them opaque tokens are not accepted. */
  readonly introspection?: { readonly clientId: string; readonly clientSecret: string };
  readonly clockToleranceSeconds: number;
}

export interface DataportenConfig {
  readonly userinfoUrl: string;
  readonly groupsUrl: string;
}

export interface GatekeeperConfig {
  readonly username: string;
  readonly secret: string;
}

export interface ServiceAccountConfig {
  readonly audience: string;
  /** When set, only JWTs with this `iss` are sent to TokenReview, and a failed review is a 401. */
  readonly issuer?: string;
}

export interface IdentityConfig {
  /** Tried in this order. */
  readonly authenticators: readonly AuthenticatorName[];
  readonly tokensFile?: string;
  readonly oidc?: OidcConfig;
  readonly dataporten: DataportenConfig;
  readonly gatekeeper?: GatekeeperConfig;
  readonly serviceAccount: ServiceAccountConfig;
  readonly cache: { readonly successTtlMs: number; readonly failureTtlMs: number; readonly maxEntries: number };
  /** Failed sign-ins a client (address) may have within a minute before it is refused; 0: no limit. Default 20. */
  readonly failuresPerMinute?: number;
  /** Per-request timeout towards Dataporten and the OpenID Provider. */
  readonly upstreamTimeoutMs: number;
  readonly namespaces: { readonly file?: string; readonly rbac: boolean };
  /** A caller may name in adminGroups only groups they belong to. */
  readonly adminGroupsMembersOnly: boolean;
}

/** Algorithms a JWT access token may be signed with; `none` and HS* are never accepted. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const DEFAULT_ALGORITHMS = ['RS256', 'ES256', 'PS256'];
export const DEFAULT_FAILURES_PER_MINUTE = 20;


export function loadIdentityConfig(env: Env = process.env): IdentityConfig {
  const tokensFile = optional(env, 'APPSTORE_TOKENS_FILE');
  const issuer = optional(env, 'APPSTORE_OIDC_ISSUER');
  const gatekeeperSecret = optional(env, 'APPSTORE_GATEKEEPER_SECRET');
  const authenticators = authenticatorList(env, { tokensFile, issuer, gatekeeperSecret });

  const requires = (name: AuthenticatorName, key: string, value: string | undefined): void => {
    if (authenticators.includes(name) && value === undefined) {
      throw new ConfigError(`APPSTORE_AUTHENTICATORS includes ${name}, which needs ${key}`);
    }
  };
  requires('static', 'APPSTORE_TOKENS_FILE', tokensFile);
  requires('oidc', 'APPSTORE_OIDC_ISSUER', issuer);
  requires('gatekeeper', 'APPSTORE_GATEKEEPER_SECRET', gatekeeperSecret);

  return {
    authenticators,
    ...(tokensFile !== undefined && { tokensFile }),
    ...(authenticators.includes('oidc') && issuer !== undefined && { oidc: oidcConfig(env, issuer) }),
    dataporten: {
      userinfoUrl: httpUrl(env, 'APPSTORE_DATAPORTEN_USERINFO_URL', 'https://auth.dataporten.no/openid/userinfo'),
      groupsUrl: httpUrl(env, 'APPSTORE_DATAPORTEN_GROUPS_URL', 'https://groups-api.dataporten.no/groups/me/groups'),
    },
    ...(gatekeeperSecret !== undefined && {
      gatekeeper: { username: optional(env, 'APPSTORE_GATEKEEPER_USERNAME') ?? 'dataporten', secret: gatekeeperSecret },
    }),
    serviceAccount: {
      audience: optional(env, 'APPSTORE_SERVICEACCOUNT_AUDIENCE') ?? 'appstore',
      ...optionalEntry('issuer', optional(env, 'APPSTORE_SERVICEACCOUNT_ISSUER')),
    },
    cache: {
      successTtlMs: integer(env, 'APPSTORE_AUTH_CACHE_TTL_SECONDS', 60, 0, 3600) * 1000,
      failureTtlMs: integer(env, 'APPSTORE_AUTH_FAILURE_TTL_SECONDS', 5, 0, 300) * 1000,
      maxEntries: integer(env, 'APPSTORE_AUTH_CACHE_MAX_ENTRIES', 10_000, 1, 10_000_000),
    },
    failuresPerMinute: integer(env, 'APPSTORE_AUTH_FAILURES_PER_MINUTE', DEFAULT_FAILURES_PER_MINUTE, 0, 1_000_000),
    upstreamTimeoutMs: integer(env, 'APPSTORE_AUTH_UPSTREAM_TIMEOUT_MS', 5000, 100, 120_000),
    namespaces: {
      ...optionalEntry('file', optional(env, 'APPSTORE_NAMESPACES_FILE')),
      rbac: boolean(env, 'APPSTORE_NAMESPACE_RBAC', false),
    },
    adminGroupsMembersOnly: boolean(env, 'APPSTORE_ADMIN_GROUPS_MEMBERS_ONLY', true),
  };
}

function oidcConfig(env: Env, issuer: string): OidcConfig {
  httpUrl(env, 'APPSTORE_OIDC_ISSUER', issuer);
  const audience = optional(env, 'APPSTORE_OIDC_AUDIENCE');
  if (audience === undefined) throw new ConfigError('APPSTORE_OIDC_AUDIENCE is required with APPSTORE_OIDC_ISSUER');
  const clientId = optional(env, 'APPSTORE_OIDC_CLIENT_ID');
  const clientSecret = optional(env, 'APPSTORE_OIDC_CLIENT_SECRET');
  if ((clientId === undefined) !== (clientSecret === undefined)) {
    throw new ConfigError('APPSTORE_OIDC_CLIENT_ID and APPSTORE_OIDC_CLIENT_SECRET must be set together (introspection)');
  }
  return {
    issuer,
    audience,
    groupsClaim: optional(env, 'APPSTORE_OIDC_GROUPS_CLAIM') ?? 'groups',
    algorithms: algorithms(env, 'APPSTORE_OIDC_ALGORITHMS'),
    ...(clientId !== undefined && clientSecret !== undefined && { introspection: { clientId, clientSecret } }),
    clockToleranceSeconds: integer(env, 'APPSTORE_OIDC_CLOCK_TOLERANCE_SECONDS', 30, 0, 300),
  };
}

/**
 * Unset: the authenticators whose settings are present (static, oidc,
 * gatekeeper, in that order). Dataporten and serviceaccount need no secret of
 * their own, so they are used only when named.
 */
function authenticatorList(
  env: Env,
  present: { tokensFile?: string; issuer?: string; gatekeeperSecret?: string },
): AuthenticatorName[] {
  const raw = optional(env, 'APPSTORE_AUTHENTICATORS');
  if (raw === undefined) {
    const names: AuthenticatorName[] = [];
    if (present.tokensFile !== undefined) names.push('static');
    if (present.issuer !== undefined) names.push('oidc');
    if (present.gatekeeperSecret !== undefined) names.push('gatekeeper');
    return names;
  }
  const names = raw.split(',').map((s) => s.trim());
  const result: AuthenticatorName[] = [];
  for (const name of names) {
    const known = AUTHENTICATOR_NAMES.find((n) => n === name);
    if (known === undefined) {
      throw new ConfigError(`APPSTORE_AUTHENTICATORS: unknown authenticator "${name}" (known: ${AUTHENTICATOR_NAMES.join(', ')})`);
    }
    if (result.includes(known)) throw new ConfigError(`APPSTORE_AUTHENTICATORS names ${known} twice`);
    result.push(known);
  }
  return result;
}

function algorithms(env: Env, key: string): string[] {
  const raw = optional(env, key);
  if (raw === undefined) return DEFAULT_ALGORITHMS;
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const alg of list) {
    if (!ASYMMETRIC_ALGORITHMS.includes(alg)) {
      throw new ConfigError(`${key}: "${alg}" is not allowed (allowed: ${ASYMMETRIC_ALGORITHMS.join(', ')}; never none or HS*)`);
    }
  }
  if (list.length === 0) throw new ConfigError(`${key} names no algorithm`);
  return list;
}


function optionalEntry<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]: string });
}



