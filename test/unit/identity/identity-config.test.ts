import { ConfigError } from '../../../src/config.js';
import { loadIdentityConfig } from '../../../src/identity/identity-config.js';

const oidcEnv = { APPSTORE_OIDC_ISSUER: 'https://idp.example.org', APPSTORE_OIDC_AUDIENCE: 'appstore' };

function configError(env: Record<string, string>): string {
  try {
    loadIdentityConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

test('defaults: nothing configured, fail-closed namespaces, members-only adminGroups, Dataporten public URLs', () => {
  const config = loadIdentityConfig({});
  expect(config.authenticators).toEqual([]);
  expect(config.namespaces).toEqual({ rbac: false });
  expect(config.adminGroupsMembersOnly).toBe(true);
  expect(config.dataporten).toEqual({
    userinfoUrl: 'https://auth.dataporten.no/openid/userinfo',
    groupsUrl: 'https://groups-api.dataporten.no/groups/me/groups',
  });
  expect(config.cache).toEqual({ successTtlMs: 60_000, failureTtlMs: 5_000, maxEntries: 10_000 });
});

test('without APPSTORE_AUTHENTICATORS the configured ones are used, in the fixed order', () => {
  const config = loadIdentityConfig({ ...oidcEnv, APPSTORE_GATEKEEPER_SECRET: 's', APPSTORE_TOKENS_FILE: '/tokens.csv' });
  expect(config.authenticators).toEqual(['static', 'oidc', 'gatekeeper']);
  expect(config.oidc).toMatchObject({ issuer: 'https://idp.example.org', audience: 'appstore', groupsClaim: 'groups' });
  expect(config.oidc?.algorithms).toEqual(['RS256', 'ES256', 'PS256']);
  expect(config.gatekeeper).toEqual({ username: 'dataporten', secret: 's' });
});

test('APPSTORE_AUTHENTICATORS sets the order', () => {
  const config = loadIdentityConfig({ ...oidcEnv, APPSTORE_AUTHENTICATORS: 'serviceaccount, oidc,dataporten' });
  expect(config.authenticators).toEqual(['serviceaccount', 'oidc', 'dataporten']);
});

test.each([
  [{ APPSTORE_AUTHENTICATORS: 'static,ldap' }, /APPSTORE_AUTHENTICATORS: unknown authenticator "ldap"/],
  [{ APPSTORE_AUTHENTICATORS: 'dataporten,dataporten' }, /APPSTORE_AUTHENTICATORS names dataporten twice/],
  [{ APPSTORE_AUTHENTICATORS: 'static' }, /includes static, which needs APPSTORE_TOKENS_FILE/],
  [{ APPSTORE_AUTHENTICATORS: 'oidc' }, /includes oidc, which needs APPSTORE_OIDC_ISSUER/],
  [{ APPSTORE_AUTHENTICATORS: 'gatekeeper' }, /includes gatekeeper, which needs APPSTORE_GATEKEEPER_SECRET/],
  [{ APPSTORE_OIDC_ISSUER: 'https://idp.example.org' }, /APPSTORE_OIDC_AUDIENCE is required/],
  [{ ...oidcEnv, APPSTORE_OIDC_ISSUER: 'idp.example.org' }, /APPSTORE_OIDC_ISSUER must be a URL/],
  [{ ...oidcEnv, APPSTORE_OIDC_ALGORITHMS: 'RS256,none' }, /APPSTORE_OIDC_ALGORITHMS: "none" is not allowed/],
  [{ ...oidcEnv, APPSTORE_OIDC_ALGORITHMS: 'HS256' }, /APPSTORE_OIDC_ALGORITHMS: "HS256" is not allowed/],
  [{ ...oidcEnv, APPSTORE_OIDC_CLIENT_ID: 'appstore' }, /APPSTORE_OIDC_CLIENT_ID and APPSTORE_OIDC_CLIENT_SECRET must be set together/],
  [{ APPSTORE_DATAPORTEN_GROUPS_URL: 'ftp://x' }, /APPSTORE_DATAPORTEN_GROUPS_URL must use http or https/],
  [{ APPSTORE_AUTH_CACHE_TTL_SECONDS: '-1' }, /APPSTORE_AUTH_CACHE_TTL_SECONDS must be an integer/],
  [{ APPSTORE_AUTH_FAILURE_TTL_SECONDS: '1000' }, /APPSTORE_AUTH_FAILURE_TTL_SECONDS must be an integer from 0 to 300/],
  [{ APPSTORE_NAMESPACE_RBAC: 'maybe' }, /APPSTORE_NAMESPACE_RBAC must be true or false/],
  [{ APPSTORE_ADMIN_GROUPS_MEMBERS_ONLY: 'nope' }, /APPSTORE_ADMIN_GROUPS_MEMBERS_ONLY must be true or false/],
])('fails fast naming the variable: %j', (env, message) => {
  expect(configError(env)).toMatch(message);
});

test('introspection credentials, algorithms, RBAC and TTLs are read', () => {
  const config = loadIdentityConfig({
    ...oidcEnv,
    APPSTORE_OIDC_CLIENT_ID: 'appstore',
    APPSTORE_OIDC_CLIENT_SECRET: 'shh',
    APPSTORE_OIDC_ALGORITHMS: 'ES256',
    APPSTORE_OIDC_GROUPS_CLAIM: 'roles',
    APPSTORE_NAMESPACE_RBAC: 'true',
    APPSTORE_NAMESPACES_FILE: '/ns.yaml',
    APPSTORE_AUTH_CACHE_TTL_SECONDS: '30',
    APPSTORE_SERVICEACCOUNT_AUDIENCE: 'store',
  });
  expect(config.oidc?.introspection).toEqual({ clientId: 'appstore', clientSecret: 'shh' });
  expect(config.oidc?.algorithms).toEqual(['ES256']);
  expect(config.oidc?.groupsClaim).toBe('roles');
  expect(config.namespaces).toEqual({ file: '/ns.yaml', rbac: true });
  expect(config.cache.successTtlMs).toBe(30_000);
  expect(config.serviceAccount).toEqual({ audience: 'store' });
});
