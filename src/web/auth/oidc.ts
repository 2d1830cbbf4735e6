/**
 * Sign-in with OpenID Connect as a public client: authorization code + PKCE
 * (oauth4webapi), the browser coming back to this page with ?code=…; silent
 * renewal with the refresh token; sign-out at the provider's end-session
 * endpoint. Nothing here holds a secret.
 */
import * as oauth from 'oauth4webapi';
import type { UiSettings } from '../api/types.js';
import { saveSession, type Session } from './session.js';

type OidcSettings = NonNullable<UiSettings['oidc']>;

const PENDING_KEY = 'appstore.oidc.pending';
interface Pending { verifier: string; state: string; nonce: string; returnTo: string }

const redirectUri = () => `${location.origin}/`;
/** http issuers only on loopback (the local OpenID Provider of `make run`); oauth4webapi refuses them otherwise. */
const insecureOk = (issuer: URL) => issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);

async function discover(settings: OidcSettings): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(settings.issuer);
  const res = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', [oauth.allowInsecureRequests]: insecureOk(issuer) });
  return oauth.processDiscoveryResponse(issuer, res);
}

/** Sends the browser to the provider's sign-in page; it comes back to / with a code. */
export async function beginSignIn(settings: OidcSettings, returnTo: string): Promise<void> {
  const as = await discover(settings);
  if (!as.authorization_endpoint) throw new Error('the OpenID Provider has no authorization endpoint');
  const pending: Pending = {
    verifier: oauth.generateRandomCodeVerifier(),
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    returnTo,
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: settings.clientId,
    redirect_uri: redirectUri(),
    response_type: 'code',
    scope: settings.scope,
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  }).toString();
  location.assign(url);
}

/** When the page was opened by the provider's redirect: trades the code for tokens. Returns where to go next. */
export async function completeSignIn(settings: OidcSettings): Promise<string | undefined> {
  const here = new URL(location.href);
  if (!here.searchParams.has('state')) return undefined;
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  // The code is single-use: take it out of the address bar and history whatever happens next.
  history.replaceState(null, '', '/');
  if (!raw) throw new Error('this sign-in was not started in this tab; start again');
  const pending = JSON.parse(raw) as Pending;
  const as = await discover(settings);
  const client: oauth.Client = { client_id: settings.clientId };
  const params = oauth.validateAuthResponse(as, client, here, pending.state);
  const insecure = { [oauth.allowInsecureRequests]: insecureOk(new URL(settings.issuer)) };
  const res = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri(), pending.verifier, insecure);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, res, { expectedNonce: pending.nonce, requireIdToken: true });
  saveSession(sessionOf(tokens));
  return pending.returnTo;
}

/** A new access token from the refresh token, before the old one expires. */
export async function renew(settings: OidcSettings, session: Session): Promise<void> {
  if (!session.refreshToken) throw new Error('no refresh token');
  const as = await discover(settings);
  const client: oauth.Client = { client_id: settings.clientId };
  const insecure = { [oauth.allowInsecureRequests]: insecureOk(new URL(settings.issuer)) };
  const res = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), session.refreshToken, insecure);
  const tokens = await oauth.processRefreshTokenResponse(as, client, res);
  saveSession({ ...sessionOf(tokens), idToken: tokens.id_token ?? session.idToken, refreshToken: tokens.refresh_token ?? session.refreshToken });
}

/** Forgets the tokens here, then ends the provider's session too when it offers an end-session endpoint. */
export async function signOut(settings: OidcSettings | null, session: Session | undefined): Promise<void> {
  saveSession(undefined);
  if (!settings || session?.method !== 'oidc') return;
  const as = await discover(settings).catch(() => undefined);
  if (!as?.end_session_endpoint) return;
  const url = new URL(as.end_session_endpoint);
  url.search = new URLSearchParams({
    client_id: settings.clientId,
    post_logout_redirect_uri: redirectUri(),
    ...(session.idToken && { id_token_hint: session.idToken }),
  }).toString();
  location.assign(url);
}

function sessionOf(tokens: oauth.TokenEndpointResponse): Session {
  return {
    method: 'oidc',
    accessToken: tokens.access_token,
    ...(tokens.expires_in !== undefined && { expiresAt: Date.now() + tokens.expires_in * 1000 }),
    ...(tokens.refresh_token !== undefined && { refreshToken: tokens.refresh_token }),
    ...(tokens.id_token !== undefined && { idToken: tokens.id_token }),
  };
}
