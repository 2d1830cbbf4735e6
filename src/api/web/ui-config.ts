/**
 * What the web UI needs to know at start, read from the environment: where
 * its built files are and how a person signs in. The SPA fetches this as
 * /ui/config.json, so one build serves every deployment.
 */
import { ConfigError } from '../../config-error.js';
import { httpUrl, optional, type Env } from '../../env-readers.js';

export interface UiOidcConfig {
  /** The issuer the SPA runs authorization code + PKCE against, as a public client. */
  readonly issuer: string;
  readonly clientId: string;
  readonly scope: string;
}

export interface UiConfig {
  /** The folder of the built SPA (index.html, assets/); the UI is off when it has no index.html. */
  readonly dir: string;
  readonly oidc: UiOidcConfig | undefined;
  /** Whether the sign-in page offers a token field (static development tokens, or any bearer token). */
  readonly tokenSignIn: boolean;
}

/** The JSON the SPA reads: no secrets, only what a public client may know. */
export interface UiClientConfig {
  readonly oidc: UiOidcConfig | null;
  readonly tokenSignIn: boolean;
}

export function loadUiConfig(env: Env = process.env): UiConfig {
  const clientId = optional(env, 'APPSTORE_UI_OIDC_CLIENT_ID');
  const issuer = optional(env, 'APPSTORE_UI_OIDC_ISSUER') ?? optional(env, 'APPSTORE_OIDC_ISSUER');
  if (clientId !== undefined && issuer === undefined) {
    throw new ConfigError('APPSTORE_UI_OIDC_CLIENT_ID needs an issuer: set APPSTORE_UI_OIDC_ISSUER or APPSTORE_OIDC_ISSUER');
  }
  // Validated only: the issuer is kept exactly as written (it is compared with the provider's own).
  if (clientId !== undefined && issuer !== undefined) httpUrl(env, 'APPSTORE_UI_OIDC_ISSUER', issuer);
  const oidc =
    clientId !== undefined && issuer !== undefined
      ? { issuer, clientId, scope: optional(env, 'APPSTORE_UI_OIDC_SCOPE') ?? 'openid profile' }
      : undefined;
  const tokenSignIn = boolean(env, 'APPSTORE_UI_TOKEN_SIGN_IN', oidc === undefined || optional(env, 'APPSTORE_TOKENS_FILE') !== undefined);
  return { dir: optional(env, 'APPSTORE_UI_DIR') ?? 'dist/web', oidc, tokenSignIn };
}

export function clientConfig(config: UiConfig): UiClientConfig {
  return { oidc: config.oidc ?? null, tokenSignIn: config.tokenSignIn };
}

function boolean(env: Env, key: string, fallback: boolean): boolean {
  const raw = optional(env, key);
  if (raw === undefined) return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${key} must be true or false, got "${raw}"`);
  return raw === 'true';
}
