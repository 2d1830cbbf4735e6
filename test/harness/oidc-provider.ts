/**
 * A real OpenID Provider for the integration tests: npm `oidc-provider`
 * (OpenID-certified), on 127.0.0.1 with a free port. It issues JWT access
 * tokens (RFC 9068, through resource indicators) and opaque ones, both with a
 * `groups` claim, and serves discovery, JWKS, RFC 7662 introspection, RFC 7009
 * revocation, the client-credentials grant and RFC 7591/7592 dynamic client
 * registration (open; RFC 7592 management on, so that a registered client is
 * read with GET, changed with PUT — which rotates its registration access
 * token — and removed with DELETE at its registration_client_uri).
 *
 * Tests need tokens for given users without a browser login, so the harness
 * mints them through the provider's own models (a Grant and an AccessToken,
 * saved like the token endpoint saves them): in-process with mint(), and for
 * other processes with POST /test/tokens — a route of this harness, not of
 * oidc-provider, that exists only here.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CompactSign, type JWK } from 'jose';
import Provider, { errors, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import { handleInteraction, INTERACTION_PREFIX, type HarnessUser } from './oidc-login.js';

export type { HarnessUser } from './oidc-login.js';

/** A public client (no secret; authorization code + PKCE, refresh tokens) for a browser app such as the store's UI. */
export interface PublicClient {
  readonly clientId: string;
  /** Where the provider may send the browser back (exact match). */
  readonly redirectUris: readonly string[];
}

/** The store's API as a resource server: JWT access tokens with aud = OIDC_TEST_AUDIENCE. */
export const APPSTORE_RESOURCE = 'urn:appstore:api';
/** The same API, but with opaque access tokens (validated by introspection). */
export const APPSTORE_OPAQUE_RESOURCE = 'urn:appstore:api:opaque';
/** Another API: its tokens carry another audience. */
export const OTHER_RESOURCE = 'urn:other:api';
export const OIDC_TEST_AUDIENCE = 'appstore';

export interface MintRequest {
  readonly sub: string;
  readonly groups?: readonly string[];
  readonly name?: string;
  /** An `email` claim in the token (a release's contact). */
  readonly email?: string;
  /** A resource indicator above; default APPSTORE_RESOURCE (a JWT). */
  readonly resource?: string;
  /** Lifetime in seconds; default 600. */
  readonly expiresIn?: number;
}

/** What other processes need (JSON-serialisable, written to the test env file). */
export interface OidcTestProviderInfo {
  readonly issuer: string;
  readonly audience: string;
  /** The store's own client: it authenticates introspection requests. */
  readonly introspectionClient: { readonly clientId: string; readonly clientSecret: string };
  /** The client tokens are minted for; it may use client_credentials and revoke its tokens. */
  readonly tokenClient: { readonly clientId: string; readonly clientSecret: string };
  /** POST a MintRequest as JSON → {"access_token": "..."} (harness-only route). */
  readonly mintUrl: string;
}

export interface OidcTestProvider extends OidcTestProviderInfo {
  mint(request: MintRequest): Promise<string>;
  /** Revokes a token through the provider's real revocation endpoint. */
  revoke(token: string): Promise<void>;
  /** The kid of the provider's signing key. */
  readonly kid: string;
  readonly publicJwk: JWK;
  /** Signs any header and payload with the provider's own private key (for crafted negative cases). */
  signWithProviderKey(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

const RESOURCE_SERVERS: Record<string, ResourceServer> = {
  [APPSTORE_RESOURCE]: { audience: OIDC_TEST_AUDIENCE, scope: 'api', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } },
  [APPSTORE_OPAQUE_RESOURCE]: { audience: OIDC_TEST_AUDIENCE, scope: 'api', accessTokenFormat: 'opaque' },
  [OTHER_RESOURCE]: { audience: 'other-api', scope: 'api', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } },
};

/** extraScopes: scopes the provider supports beyond its own (e.g. Dataporten's userid, userid-feide, for published charts). */
export interface OidcProviderOptions {
  /** Scopes beyond the provider's own (e.g. Dataporten's userid, userid-feide, for published charts). */
  readonly extraScopes?: readonly string[];
  /** People who may sign in on the provider's login page (/interaction/…). */
  readonly users?: readonly HarnessUser[];
  /** Browser clients, such as the store's web UI. */
  readonly publicClients?: readonly PublicClient[];
}

export async function startOidcProvider(options: OidcProviderOptions = {}): Promise<OidcTestProvider> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const kid = `test-rsa-${randomBytes(4).toString('hex')}`;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateJwk = { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
  const publicJwk: JWK = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
  const introspectionClient = { clientId: 'appstore', clientSecret: randomBytes(24).toString('hex') };
  const tokenClient = { clientId: 'appstore-tests', clientSecret: randomBytes(24).toString('hex') };
  const profiles = new Map<string, { name?: string; email?: string; groups: readonly string[] }>();
  const users = new Map((options.users ?? []).map((u) => [u.username, u]));
  for (const u of users.values()) {
    profiles.set(u.username, { groups: u.groups, ...(u.name !== undefined && { name: u.name }), ...(u.email !== undefined && { email: u.email }) });
  }

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: introspectionClient.clientId,
        client_secret: introspectionClient.clientSecret,
        grant_types: [],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: tokenClient.clientId,
        client_secret: tokenClient.clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
      ...(options.publicClients ?? []).map((c) => ({
        client_id: c.clientId,
        token_endpoint_auth_method: 'none' as const,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code' as const],
        redirect_uris: [...c.redirectUris],
        post_logout_redirect_uris: [...c.redirectUris],
      })),
    ],
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PREFIX}${interaction.uid}` },
    // Browser clients call the token endpoint from their own origin: allowed for public clients from their redirect origins.
    clientBasedCORS: (_ctx, origin, client) =>
      client.clientAuthMethod === 'none' && (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    // Refresh tokens for browser clients without offline_access: the UI renews its access token silently.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    jwks: { keys: [privateJwk] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    // email and groups too: the sample chart oidc-app registers a client asking for them.
    scopes: ['openid', 'profile', 'email', 'groups', 'api', ...(options.extraScopes ?? [])],
    claims: { openid: ['sub'], profile: ['name', 'groups'] },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, ...profiles.get(sub) }) }),
    extraTokenClaims: (_ctx, token) => {
      const accountId = 'accountId' in token ? token.accountId : undefined;
      const profile = accountId === undefined ? undefined : profiles.get(accountId);
      return profile && { groups: [...profile.groups], ...(profile.name !== undefined && { name: profile.name }), ...(profile.email !== undefined && { email: profile.email }) };
    },
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
      Grant: 3600,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: (ctx: KoaContextWithOIDC) => ctx.oidc.client?.clientId === introspectionClient.clientId },
      revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      registration: { enabled: true },
      registrationManagement: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => APPSTORE_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          const info = RESOURCE_SERVERS[resource];
          if (info === undefined) throw new errors.InvalidTarget();
          return info;
        },
      },
    },
  });

  const mint = async ({ sub, groups = [], name, email, resource = APPSTORE_RESOURCE, expiresIn }: MintRequest): Promise<string> => {
    const info = RESOURCE_SERVERS[resource];
    if (info === undefined) throw new Error(`unknown resource ${resource}`);
    profiles.set(sub, { groups, ...(name !== undefined && { name }), ...(email !== undefined && { email }) });
    const client = await provider.Client.find(tokenClient.clientId);
    if (!client) throw new Error('the token client is missing');
    const grant = new provider.Grant({ accountId: sub, clientId: client.clientId });
    grant.addResourceScope(resource, 'api');
    const grantId = await grant.save();
    const token = new provider.AccessToken({
      accountId: sub,
      client,
      grantId,
      gty: 'test_mint',
      scope: 'api',
      resourceServer: new provider.ResourceServer(resource, { ...info, ...(expiresIn !== undefined && { accessTokenTTL: expiresIn }) }),
    });
    return token.save();
  };

  const revoke = async (token: string): Promise<void> => {
    const res = await fetch(`${issuer}/token/revocation`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${tokenClient.clientId}:${tokenClient.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
    });
    if (res.status !== 200) throw new Error(`revocation answered ${res.status}: ${await res.text()}`);
  };

  const callback = provider.callback();
  handler = (req, res) => {
    if (req.method === 'POST' && req.url === '/test/tokens') void mintRoute(req, res, mint);
    else if (req.url?.startsWith(INTERACTION_PREFIX)) void handleInteraction(provider, users, req, res);
    else callback(req, res);
  };

  return {
    issuer,
    audience: OIDC_TEST_AUDIENCE,
    introspectionClient,
    tokenClient,
    mintUrl: `${issuer}/test/tokens`,
    mint,
    revoke,
    kid,
    publicJwk,
    signWithProviderKey: (header, payload) =>
      new CompactSign(Buffer.from(JSON.stringify(payload)))
        .setProtectedHeader({ alg: 'RS256', kid, ...header })
        .sign(privateKey),
    close: () => closeServer(server),
  };
}

async function mintRoute(req: IncomingMessage, res: ServerResponse, mint: (r: MintRequest) => Promise<string>): Promise<void> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as MintRequest;
    if (typeof body.sub !== 'string' || body.sub === '') throw new Error('sub is required');
    const token = await mint(body);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token }));
  } catch (err) {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (err as Error).message }));
  }
}

/** Stops listening and drops kept-alive connections, so clients see the provider gone at once. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

/** The JSON-serialisable part, for the test env file. */
export function providerInfo(provider: OidcTestProvider): OidcTestProviderInfo {
  const { issuer, audience, introspectionClient, tokenClient, mintUrl } = provider;
  return { issuer, audience, introspectionClient, tokenClient, mintUrl };
}
