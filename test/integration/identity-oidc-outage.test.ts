/**
 * The OpenID Provider goes away: tokens the store already knows keep working
 * until their cache entry ends, new tokens that need the provider answer 503
 * (Unavailable), never 401 — the caller may be perfectly valid.
 */
import pino from 'pino';
import { AppStoreError } from '../../src/domain/errors.js';
import type { IdentityConfig } from '../../src/identity/identity-config.js';
import { createIdentityService, type IdentityService } from '../../src/identity/identity-service.js';
import { APPSTORE_OPAQUE_RESOURCE, startOidcProvider, type OidcTestProvider } from '../harness/oidc-provider.js';

const SUCCESS_TTL_MS = 3000;
let provider: OidcTestProvider;

function newService(): IdentityService {
  const config: IdentityConfig = {
    authenticators: ['oidc'],
    oidc: {
      issuer: provider.issuer,
      audience: provider.audience,
      groupsClaim: 'groups',
      algorithms: ['RS256'],
      introspection: provider.introspectionClient,
      clockToleranceSeconds: 30,
    },
    dataporten: { userinfoUrl: 'http://127.0.0.1:1/userinfo', groupsUrl: 'http://127.0.0.1:1/groups' },
    serviceAccount: { audience: 'appstore' },
    cache: { successTtlMs: SUCCESS_TTL_MS, failureTtlMs: 5000, maxEntries: 100 },
    upstreamTimeoutMs: 2000,
    namespaces: { rbac: false },
    adminGroupsMembersOnly: true,
  };
  return createIdentityService(config, { logger: pino({ level: 'silent' }) });
}

async function unavailable(promise: Promise<unknown>): Promise<AppStoreError> {
  const err = await promise.then(() => new Error('expected authentication to fail'), (e: unknown) => e);
  expect(err).toBeInstanceOf(AppStoreError);
  expect((err as AppStoreError).code).toBe('Unavailable');
  return err as AppStoreError;
}

const bearer = (token: string) => ({ bearer: token, headers: {} });

beforeAll(async () => {
  provider = await startOidcProvider();
});

test('provider down: cached principals work until their TTL, new tokens get 503', async () => {
  const identity = newService();
  const knownOpaque = await provider.mint({ sub: 'known-opaque', groups: ['g'], resource: APPSTORE_OPAQUE_RESOURCE });
  const knownJwt = await provider.mint({ sub: 'known-jwt', groups: ['g'] });
  const newOpaque = await provider.mint({ sub: 'new-opaque', resource: APPSTORE_OPAQUE_RESOURCE });
  const newJwt = await provider.mint({ sub: 'new-jwt' });
  await expect(identity.authenticate(bearer(knownOpaque))).resolves.toMatchObject({ id: 'known-opaque' });
  await expect(identity.authenticate(bearer(knownJwt))).resolves.toMatchObject({ id: 'known-jwt' });
  const cachedAt = Date.now();

  await provider.close();

  // Known tokens: served from the cache.
  await expect(identity.authenticate(bearer(knownOpaque))).resolves.toMatchObject({ id: 'known-opaque' });
  await expect(identity.authenticate(bearer(knownJwt))).resolves.toMatchObject({ id: 'known-jwt' });

  // A new opaque token needs introspection: 503 naming the upstream.
  const err = await unavailable(identity.authenticate(bearer(newOpaque)));
  expect(err.message).toMatch(/OpenID Provider/);
  expect(err.details.wwwAuthenticate).toBeUndefined();

  // A new JWT is verified locally with the keys fetched before the outage.
  await expect(identity.authenticate(bearer(newJwt))).resolves.toMatchObject({ id: 'new-jwt' });
  // A store that never reached the provider cannot verify it: 503 again.
  await unavailable(newService().authenticate(bearer(newJwt)));

  // After the TTL the known opaque token must be checked again, and cannot be.
  expect(Date.now() - cachedAt).toBeLessThan(SUCCESS_TTL_MS);
  await new Promise((r) => setTimeout(r, SUCCESS_TTL_MS - (Date.now() - cachedAt) + 100));
  await unavailable(identity.authenticate(bearer(knownOpaque)));
}, 30_000);
