import { ConfigError } from '../../../src/config.js';
import { StaticTokenAuthenticator } from '../../../src/identity/static-token-authenticator.js';
import { parseStaticTokens } from '../../../src/identity/static-token-file.js';

describe('the static token file', () => {
  test('reads token,userId,"groups" lines as the README documents them', () => {
    const entries = parseStaticTokens('dev-alice-token,alice,"fc:org:example.org,fc:adhoc:appstore-devs"\ndev-bob-token,bob,"fc:org:example.org"\n');
    expect(entries).toEqual([
      { token: 'dev-alice-token', userId: 'alice', groups: ['fc:org:example.org', 'fc:adhoc:appstore-devs'] },
      { token: 'dev-bob-token', userId: 'bob', groups: ['fc:org:example.org'] },
    ]);
  });

  test("accepts kube-apiserver's four-field form, a user without groups, comments and blank lines", () => {
    const entries = parseStaticTokens('# service callers\n\nt1,svc,uid-1,"a,b"\r\nt2,lonely\nt3,quoted,""\n');
    expect(entries).toEqual([
      { token: 't1', userId: 'svc', groups: ['a', 'b'] },
      { token: 't2', userId: 'lonely', groups: [] },
      { token: 't3', userId: 'quoted', groups: [] },
    ]);
  });

  test('unquotes doubled quotes inside a quoted field', () => {
    expect(parseStaticTokens('"to""ken",u,g')[0]?.token).toBe('to"ken');
  });

  test.each([
    ['one field', 'onlytoken', /line 1: expected token,userId/],
    ['five fields', 'a,b,c,d,e', /line 1: expected token,userId/],
    ['an empty token', ',alice,g', /line 1: the token is empty/],
    ['an empty user', 'tok, ,g', /line 1: the user id is empty/],
    ['an unclosed quote', 'tok,alice,"g1,g2', /line 1: a quoted field is not closed/],
    ['a stray quote', 'tok,al"ice,g', /line 1: a quote inside an unquoted field/],
    ['a duplicate token', 'tok,alice,g\n\ntok,bob,g', /line 3: this token appears on an earlier line too/],
  ])('rejects %s, naming the variable and the line but never the token', (_what, text, message) => {
    let error: unknown;
    try {
      parseStaticTokens(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^APPSTORE_TOKENS_FILE /);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('tok,');
  });
});

describe('the static token authenticator', () => {
  const authenticator = new StaticTokenAuthenticator(parseStaticTokens('secret-a,alice,"g1,g2"\nsecret-b,bob,g1'));

  test('turns a known token into its user with groups', async () => {
    await expect(authenticator.authenticate({ bearer: 'secret-b', headers: {} })).resolves.toEqual({
      id: 'bob',
      groups: ['g1'],
      kind: 'user',
      source: 'static',
    });
  });

  test('says "not mine" for an unknown token, a prefix of a known one, and no bearer', async () => {
    for (const bearer of ['secret-c', 'secret-', 'secret-a ', undefined]) {
      await expect(authenticator.authenticate({ ...(bearer !== undefined && { bearer }), headers: {} })).resolves.toBeUndefined();
    }
  });
});
