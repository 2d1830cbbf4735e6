import { AppStoreError } from '../../../src/domain/errors.js';
import { AuthenticatorChain } from '../../../src/identity/authenticator-chain.js';
import { invalidToken, upstreamUnavailable } from '../../../src/identity/identity-errors.js';
import { PrincipalCache } from '../../../src/identity/principal-cache.js';
import type { Authenticated, Authenticator, AuthenticatorName, Credentials } from '../../../src/identity/types.js';

/** An authenticator whose answer a test sets, counting its calls. */
class Scripted implements Authenticator {
  calls = 0;
  answer: () => Promise<Authenticated | undefined> = async () => undefined;
  constructor(readonly name: AuthenticatorName) {}
  async authenticate(_credentials: Credentials): Promise<Authenticated | undefined> {
    this.calls++;
    return this.answer();
  }
}

const user = (id: string, extra: Partial<Authenticated> = {}): Authenticated => ({ id, groups: ['g'], kind: 'user', source: 'oidc', ...extra });
const bearer = (token: string): Credentials => ({ bearer: token, headers: {} });

let now = 1_000_000;
function setup(options: { successTtlMs?: number; failureTtlMs?: number } = {}) {
  const first = new Scripted('static');
  const second = new Scripted('oidc');
  const cache = new PrincipalCache({ successTtlMs: options.successTtlMs ?? 60_000, failureTtlMs: options.failureTtlMs ?? 5_000, maxEntries: 100, now: () => now });
  return { first, second, chain: new AuthenticatorChain([first, second], cache) };
}

async function rejection(promise: Promise<unknown>): Promise<AppStoreError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppStoreError);
  return err as AppStoreError;
}

beforeEach(() => {
  now = 1_000_000;
});

describe('order and outcomes', () => {
  test('asks the authenticators in order and returns the first principal, without its expiry', async () => {
    const { first, second, chain } = setup();
    second.answer = async () => user('alice', { expiresAt: now + 10_000 });
    await expect(chain.authenticate(bearer('t'))).resolves.toEqual({ id: 'alice', groups: ['g'], kind: 'user', source: 'oidc' });
    expect([first.calls, second.calls]).toEqual([1, 1]);
  });

  test('no credentials at all: Unauthenticated with a bare Bearer challenge, nobody asked', async () => {
    const { first, chain } = setup();
    const err = await rejection(chain.authenticate({ headers: {} }));
    expect(err.code).toBe('Unauthenticated');
    expect(err.details.wwwAuthenticate).toBe('Bearer realm="appstore"');
    expect(first.calls).toBe(0);
  });

  test('an empty bearer is an invalid token, nobody asked', async () => {
    const { first, chain } = setup();
    const err = await rejection(chain.authenticate(bearer('  ')));
    expect(err.code).toBe('Unauthenticated');
    expect(err.details.wwwAuthenticate).toMatch(/^Bearer realm="appstore", error="invalid_token", error_description="the bearer token is empty"$/);
    expect(first.calls).toBe(0);
  });

  test('nobody recognises the credentials: Unauthenticated invalid_token', async () => {
    const { chain } = setup();
    const err = await rejection(chain.authenticate(bearer('t')));
    expect(err.code).toBe('Unauthenticated');
    expect(err.details.wwwAuthenticate).toContain('error="invalid_token"');
  });

  test('a rejection stops the chain', async () => {
    const { first, second, chain } = setup();
    first.answer = async () => {
      throw invalidToken('expired');
    };
    second.answer = async () => user('alice');
    expect((await rejection(chain.authenticate(bearer('t')))).message).toMatch(/expired/);
    expect(second.calls).toBe(0);
  });

  test('an outage is skipped when someone else recognises the credentials', async () => {
    const { first, second, chain } = setup();
    first.answer = async () => {
      throw upstreamUnavailable('Dataporten userinfo', new Error('ECONNREFUSED'));
    };
    second.answer = async () => user('alice');
    await expect(chain.authenticate(bearer('t'))).resolves.toMatchObject({ id: 'alice' });
  });

  test('an outage with nobody else recognising the credentials is Unavailable (503), not 401', async () => {
    const { first, chain } = setup();
    first.answer = async () => {
      throw upstreamUnavailable('Dataporten userinfo', new Error('ECONNREFUSED'));
    };
    const err = await rejection(chain.authenticate(bearer('t')));
    expect(err.code).toBe('Unavailable');
    expect(err.message).toBe('Dataporten userinfo is unavailable');
  });
});

describe('caching by token hash', () => {
  test('a success is reused for the success TTL, then asked again', async () => {
    const { second, chain } = setup({ successTtlMs: 60_000 });
    second.answer = async () => user('alice');
    await chain.authenticate(bearer('t'));
    now += 59_000;
    await chain.authenticate(bearer('t'));
    expect(second.calls).toBe(1);
    now += 2_000;
    await chain.authenticate(bearer('t'));
    expect(second.calls).toBe(2);
  });

  test("a success is never kept beyond the token's expiry", async () => {
    const { second, chain } = setup({ successTtlMs: 60_000 });
    second.answer = async () => user('alice', { expiresAt: now + 10_000 });
    await chain.authenticate(bearer('t'));
    now += 9_000;
    await chain.authenticate(bearer('t'));
    expect(second.calls).toBe(1);
    now += 1_000;
    second.answer = async () => {
      throw invalidToken('expired');
    };
    expect((await rejection(chain.authenticate(bearer('t')))).code).toBe('Unauthenticated');
    expect(second.calls).toBe(2);
  });

  test('an already expired principal is not cached at all', async () => {
    const { second, chain } = setup();
    second.answer = async () => user('alice', { expiresAt: now - 1 });
    await chain.authenticate(bearer('t'));
    await chain.authenticate(bearer('t'));
    expect(second.calls).toBe(2);
  });

  test('a rejection is cached only for the failure TTL', async () => {
    const { second, chain } = setup({ failureTtlMs: 5_000 });
    second.answer = async () => {
      throw invalidToken('revoked');
    };
    await rejection(chain.authenticate(bearer('t')));
    now += 4_000;
    expect((await rejection(chain.authenticate(bearer('t')))).message).toMatch(/revoked/);
    expect(second.calls).toBe(1);
    now += 2_000;
    second.answer = async () => user('alice');
    await expect(chain.authenticate(bearer('t'))).resolves.toMatchObject({ id: 'alice' });
    expect(second.calls).toBe(2);
  });

  test('"nobody recognised it" is cached briefly too', async () => {
    const { first, chain } = setup({ failureTtlMs: 5_000 });
    await rejection(chain.authenticate(bearer('t')));
    await rejection(chain.authenticate(bearer('t')));
    expect(first.calls).toBe(1);
  });

  test('an outage is never cached', async () => {
    const { second, chain } = setup();
    second.answer = async () => {
      throw upstreamUnavailable('the OpenID Provider', new Error('down'));
    };
    await rejection(chain.authenticate(bearer('t')));
    second.answer = async () => user('alice');
    await expect(chain.authenticate(bearer('t'))).resolves.toMatchObject({ id: 'alice' });
    expect(second.calls).toBe(2);
  });

  test('different credentials never share an entry (tokens, basic parts, gatekeeper headers)', async () => {
    const { second, chain } = setup();
    let n = 0;
    second.answer = async () => user(`user-${++n}`);
    const variants: Credentials[] = [
      bearer('ab'),
      bearer('abc'),
      { basic: { username: 'a', password: 'bc' }, headers: {} },
      { basic: { username: 'ab', password: 'c' }, headers: {} },
      { basic: { username: 'ab', password: 'c' }, headers: { 'x-dataporten-userid': 'u1', 'x-dataporten-token': 't' } },
      { basic: { username: 'ab', password: 'c' }, headers: { 'x-dataporten-userid': 'u2', 'x-dataporten-token': 't' } },
    ];
    const ids = new Set<string>();
    for (const credentials of variants) ids.add((await chain.authenticate(credentials)).id);
    expect(ids.size).toBe(variants.length);
  });

  test('concurrent requests with the same token share one lookup', async () => {
    const { second, chain } = setup();
    let release: () => void = () => undefined;
    second.answer = () => new Promise((resolve) => (release = () => resolve(user('alice'))));
    const both = Promise.all([chain.authenticate(bearer('t')), chain.authenticate(bearer('t'))]);
    await new Promise((r) => setImmediate(r));
    release();
    await expect(both).resolves.toHaveLength(2);
    expect(second.calls).toBe(1);
  });
});
