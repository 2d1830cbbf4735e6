/**
 * The generic OIDC authenticator against a real OpenID Provider (npm
 * oidc-provider, test/harness/oidc-provider.ts): JWT access tokens verified
 * locally, opaque ones through introspection, and the negative matrix — each
 * case differs from a valid token in one respect only, and must be a 401.
 */
import { createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { CompactSign, decodeJwt, decodeProtectedHeader } from 'jose';
import pino from 'pino';
import { AppStoreError } from '../../src/domain/errors.js';
import { createIdentityService, type IdentityService } from '../../src/identity/identity-service.js';
import type { IdentityConfig, OidcConfig } from '../../src/identity/identity-config.js';
import { APPSTORE_OPAQUE_RESOURCE, OTHER_RESOURCE, startOidcProvider, type OidcTestProvider } from '../harness/oidc-provider.js';
import { readTestEnv } from '../harness/test-env.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function serviceFor(oidc: OidcConfig): IdentityService {
  const config: IdentityConfig = {
    authenticators: ['oidc'],
    oidc,
    dataporten: { userinfoUrl: 'http://127.0.0.1:1/userinfo', groupsUrl: 'http://127.0.0.1:1/groups' },
    serviceAccount: { audience: 'appstore' },
    // No failure caching: each case below must be decided on its own.
    cache: { successTtlMs: 60_000, failureTtlMs: 0, maxEntries: 100 },
    upstreamTimeoutMs: 3000,
    namespaces: { rbac: false },
    adminGroupsMembersOnly: true,
  };
  return createIdentityService(config, { logger: pino({ level: 'silent' }) });
}

const oidcConfig = (p: Pick<OidcTestProvider, 'issuer' | 'audience' | 'introspectionClient'>): OidcConfig => ({
  issuer: p.issuer,
  audience: p.audience,
  groupsClaim: 'groups',
  algorithms: ['RS256', 'ES256', 'PS256'],
  introspection: p.introspectionClient,
  clockToleranceSeconds: 30,
});

async function rejection(promise: Promise<unknown>): Promise<AppStoreError> {
  const err = await promise.then(() => new Error('expected authentication to fail'), (e: unknown) => e);
  expect(err).toBeInstanceOf(AppStoreError);
  return err as AppStoreError;
}

let provider: OidcTestProvider;
let identity: IdentityService;
const bearer = (token: string) => ({ bearer: token, headers: {} });

beforeAll(async () => {
  provider = await startOidcProvider();
  identity = serviceFor(oidcConfig(provider));
});
afterAll(() => provider.close());

test('a valid JWT access token gives the user with the groups claim', async () => {
  const token = await provider.mint({ sub: 'alice-oidc', name: 'Alice', groups: ['fc:org:example.org', 'fc:adhoc:devs'] });
  expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: provider.kid });
  await expect(identity.authenticate(bearer(token))).resolves.toEqual({
    id: 'alice-oidc',
    name: 'Alice',
    groups: ['fc:org:example.org', 'fc:adhoc:devs'],
    kind: 'user',
    source: 'oidc',
  });
});

test('a valid opaque access token is accepted through introspection', async () => {
  const token = await provider.mint({ sub: 'bob-oidc', groups: ['fc:org:example.org'], resource: APPSTORE_OPAQUE_RESOURCE });
  expect(token.split('.')).toHaveLength(1);
  await expect(identity.authenticate(bearer(token))).resolves.toEqual({
    id: 'bob-oidc',
    groups: ['fc:org:example.org'],
    kind: 'user',
    source: 'oidc',
  });
});

test('a token of the shared test OpenID Provider works with its settings from the test env', async () => {
  const shared = readTestEnv().oidc;
  const res = await fetch(shared.mintUrl, { method: 'POST', body: JSON.stringify({ sub: 'dave', groups: ['g-shared'] }) });
  expect(res.status).toBe(200);
  const { access_token: token } = (await res.json()) as { access_token: string };
  await expect(serviceFor(oidcConfig(shared)).authenticate(bearer(token))).resolves.toMatchObject({ id: 'dave', groups: ['g-shared'] });
  // ... and is not accepted by a store that trusts another issuer.
  expect((await rejection(identity.authenticate(bearer(token)))).code).toBe('Unauthenticated');
});

describe('the negative matrix: each is 401 with error="invalid_token"', () => {
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  const now = () => Math.floor(Date.now() / 1000);
  /** The valid token's header and claims, with one thing changed, signed with the provider's own key. */
  const resigned = (headerChanges: Record<string, unknown>, claimChanges: Record<string, unknown>) =>
    provider.signWithProviderKey({ ...header, ...headerChanges }, { ...claims, ...claimChanges });

  beforeAll(async () => {
    const valid = await provider.mint({ sub: 'victim', groups: ['fc:org:example.org'] });
    header = decodeProtectedHeader(valid) as Record<string, unknown>;
    claims = decodeJwt(valid) as Record<string, unknown>;
  });

  test('control: the same header and claims re-signed with the provider key are accepted', async () => {
    await expect(identity.authenticate(bearer(await resigned({}, { jti: 'control' })))).resolves.toMatchObject({ id: 'victim' });
  });

  const cases: Array<[string, () => Promise<string>, RegExp]> = [
    ['expired', () => resigned({}, { iat: now() - 7200, exp: now() - 3600 }), /"exp" claim timestamp check failed/],
    ['not yet valid', () => resigned({}, { nbf: now() + 3600 }), /"nbf" claim timestamp check failed/],
    ['wrong issuer (signed with the right key)', () => resigned({}, { iss: 'http://127.0.0.1:9/other-issuer' }), /not recognised/],
    ['wrong audience (a real token for another API)', () => provider.mint({ sub: 'victim', resource: OTHER_RESOURCE }), /unexpected "aud" claim value/],
    ['alg none', async () => `${b64({ ...header, alg: 'none' })}.${b64(claims)}.`, /algorithm is not allowed/],
    [
      'HS256 signed with the RSA public key',
      async () => new CompactSign(Buffer.from(JSON.stringify(claims))).setProtectedHeader({ ...header, alg: 'HS256' }).sign(publicKeyPem()),
      /algorithm is not allowed/,
    ],
    [
      'unknown kid',
      () => signWithStrangerKey({ ...header, kid: 'no-such-kid' }, claims),
      /unknown kid/,
    ],
    ['a forged signature under the real kid', () => signWithStrangerKey(header, claims), /signature does not verify/],
    [
      'tampered payload',
      async () => {
        const [h, , s] = (await resigned({}, {})).split('.');
        return `${h}.${b64({ ...claims, groups: ['fc:org:example.org', 'admins'] })}.${s}`;
      },
      /signature does not verify/,
    ],
    [
      'revoked (introspection says active=false)',
      async () => {
        const token = await provider.mint({ sub: 'victim', resource: APPSTORE_OPAQUE_RESOURCE });
        // valid until revoked — checked with a store of its own, so that nothing is cached here
        await expect(serviceFor(oidcConfig(provider)).authenticate(bearer(token))).resolves.toMatchObject({ id: 'victim' });
        await provider.revoke(token);
        return token;
      },
      /not recognised/,
    ],
    ['garbage', async () => 'garbage', /not recognised/],
    ['garbage in three parts', async () => 'eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln', /not recognised/],
    ['an empty bearer', async () => '', /the bearer token is empty/],
  ];

  test.each(cases)('%s', async (_name, makeToken, reason) => {
    const err = await rejection(identity.authenticate(bearer(await makeToken())));
    expect(err.code).toBe('Unauthenticated');
    expect(err.details.wwwAuthenticate).toMatch(/^Bearer realm="appstore", error="invalid_token", error_description="[^"]+"$/);
    expect(err.message).toMatch(reason);
  });
});

/** The provider's public key as PEM bytes: what an attacker would use as an HMAC secret. */
function publicKeyPem(): Uint8Array {
  const pem = createPublicKey({ key: provider.publicJwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  return Buffer.from(pem);
}

async function signWithStrangerKey(header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return new CompactSign(Buffer.from(JSON.stringify(claims))).setProtectedHeader({ ...header, alg: 'RS256' }).sign(privateKey);
}
