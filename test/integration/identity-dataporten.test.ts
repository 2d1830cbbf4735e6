/**
 * Dataporten bearer tokens and the Dataporten API Gatekeeper mode, against
 * the TEST DOUBLE of Dataporten's userinfo and groups endpoints
 * (test/harness/dataporten-double.ts) — the real service cannot be reached
 * from here.
 */
import pino from 'pino';
import { AppStoreError } from '../../src/domain/errors.js';
import type { IdentityConfig } from '../../src/identity/identity-config.js';
import { createIdentityService, type IdentityService } from '../../src/identity/identity-service.js';
import type { Credentials } from '../../src/identity/types.js';
import { startDataportenDouble, type DataportenDouble, type DataportenDoubleUser } from '../harness/dataporten-double.js';

const ANDREAS: DataportenDoubleUser = {
  sub: '76a7a061-3c55-430d-8ee0-6f82ec42501f',
  name: 'Andreas Åkre Solberg',
  email: 'andreas.solberg@uninett.no',
  feideId: 'andreas@uninett.no',
  groups: [
    { id: 'fc:org:uninett.no', displayName: 'UNINETT AS', type: 'fc:org' },
    { id: 'fc:adhoc:8878ae43-965a-412a-87b5-38c398a76569', displayName: 'App Store devs', type: 'fc:adhoc' },
  ],
};
const NO_GROUPS: DataportenDoubleUser = { sub: '0c3d1a0e-5f1b-4c55-9d7e-9b3cfb1f2a11', name: 'Loner', groups: [] };
const GATEKEEPER = { username: 'dataporten', secret: 'gatekeeper-shared-secret' };

let double: DataportenDouble;

function newService(): IdentityService {
  const config: IdentityConfig = {
    authenticators: ['gatekeeper', 'dataporten'],
    dataporten: { userinfoUrl: double.userinfoUrl, groupsUrl: double.groupsUrl },
    gatekeeper: GATEKEEPER,
    serviceAccount: { audience: 'appstore' },
    cache: { successTtlMs: 60_000, failureTtlMs: 5_000, maxEntries: 100 },
    upstreamTimeoutMs: 2000,
    namespaces: { rbac: false },
    adminGroupsMembersOnly: true,
  };
  return createIdentityService(config, { logger: pino({ level: 'silent' }) });
}

async function failure(promise: Promise<unknown>, code: AppStoreError['code']): Promise<AppStoreError> {
  const err = await promise.then(() => new Error('expected authentication to fail'), (e: unknown) => e);
  expect(err).toBeInstanceOf(AppStoreError);
  expect((err as AppStoreError).code).toBe(code);
  return err as AppStoreError;
}

const bearer = (token: string): Credentials => ({ bearer: token, headers: {} });
const viaGatekeeper = (password: string, headers: Record<string, string>, username = GATEKEEPER.username): Credentials => ({
  basic: { username, password },
  headers,
});

beforeAll(async () => {
  double = await startDataportenDouble();
  double.addToken('dp-token-andreas', ANDREAS);
  double.addToken('dp-token-loner', NO_GROUPS);
});
afterAll(() => double.close());
afterEach(() => {
  double.setUserinfo('ok');
  double.setGroups('ok');
});

describe('Dataporten bearer tokens', () => {
  test('a valid token: sub is the id, the name and email from userinfo, group ids from the groups API', async () => {
    await expect(newService().authenticate(bearer('dp-token-andreas'))).resolves.toEqual({
      id: ANDREAS.sub,
      name: ANDREAS.name,
      email: ANDREAS.email,
      groups: ['fc:org:uninett.no', 'fc:adhoc:8878ae43-965a-412a-87b5-38c398a76569'],
      kind: 'user',
      source: 'dataporten',
    });
  });

  test('a user in no group', async () => {
    await expect(newService().authenticate(bearer('dp-token-loner'))).resolves.toMatchObject({ id: NO_GROUPS.sub, groups: [] });
  });

  test('a known token is looked up once, then served from the cache', async () => {
    const identity = newService();
    const before = { ...double.requests };
    await identity.authenticate(bearer('dp-token-andreas'));
    await identity.authenticate(bearer('dp-token-andreas'));
    expect(double.requests.userinfo - before.userinfo).toBe(1);
    expect(double.requests.groups - before.groups).toBe(1);
  });

  test('an unknown token (userinfo 401) is 401', async () => {
    const err = await failure(newService().authenticate(bearer('not-a-dataporten-token')), 'Unauthenticated');
    expect(err.details.wwwAuthenticate).toContain('error="invalid_token"');
  });

  test.each([
    ['answers 500', 'error'],
    ['is down', 'down'],
  ] as const)('the groups API that %s is 503, and the failure is not cached', async (_what, mode) => {
    const identity = newService();
    double.setGroups(mode);
    const err = await failure(identity.authenticate(bearer('dp-token-andreas')), 'Unavailable');
    expect(err.message).toBe('Dataporten groups API is unavailable');
    double.setGroups('ok');
    await expect(identity.authenticate(bearer('dp-token-andreas'))).resolves.toMatchObject({ id: ANDREAS.sub });
  });

  test('userinfo down is 503, not 401', async () => {
    double.setUserinfo('down');
    const err = await failure(newService().authenticate(bearer('dp-token-andreas')), 'Unavailable');
    expect(err.message).toBe('Dataporten userinfo is unavailable');
  });
});

describe('the Dataporten API Gatekeeper mode', () => {
  const headers = { 'x-dataporten-userid': ANDREAS.sub, 'x-dataporten-token': 'dp-token-andreas' };

  test('the shared secret plus the user headers give the user, with groups fetched with the forwarded token', async () => {
    await expect(newService().authenticate(viaGatekeeper(GATEKEEPER.secret, headers))).resolves.toEqual({
      id: ANDREAS.sub,
      groups: ['fc:org:uninett.no', 'fc:adhoc:8878ae43-965a-412a-87b5-38c398a76569'],
      kind: 'user',
      source: 'gatekeeper',
    });
  });

  test.each([
    ['a wrong secret', viaGatekeeper('gatekeeper-shared-secreT', headers), /gatekeeper credentials are wrong/],
    ['a secret that is a prefix of the real one', viaGatekeeper('gatekeeper', headers), /gatekeeper credentials are wrong/],
    ['no user id header', viaGatekeeper(GATEKEEPER.secret, { 'x-dataporten-token': 'dp-token-andreas' }), /no X-Dataporten-Userid/],
    ['no token header', viaGatekeeper(GATEKEEPER.secret, { 'x-dataporten-userid': ANDREAS.sub }), /no X-Dataporten-Token/],
    ['another Basic user', viaGatekeeper(GATEKEEPER.secret, headers, 'someone'), /not recognised/],
    ['the headers without Basic credentials', { headers }, /not recognised/],
    [
      'a forwarded token the groups API refuses',
      viaGatekeeper(GATEKEEPER.secret, { ...headers, 'x-dataporten-token': 'revoked' }),
      /groups API refused the token \(401\)/,
    ],
  ])('%s is 401', async (_what, credentials, message) => {
    const err = await failure(newService().authenticate(credentials), 'Unauthenticated');
    expect(err.message).toMatch(message);
  });

  test('a groups API that fails is 503', async () => {
    double.setGroups('error');
    await failure(newService().authenticate(viaGatekeeper(GATEKEEPER.secret, headers)), 'Unavailable');
  });
});
