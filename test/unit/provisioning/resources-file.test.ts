import { AppStoreError } from '../../../src/domain/errors.js';
import { readClientDeclaration, resolveRedirectUris } from '../../../src/provisioning/resources-file.js';

const file = (text: string, path = 'resources.yaml') => ({ typeUrl: path, value: Buffer.from(text) });

const errorOf = (fn: () => unknown): AppStoreError => {
  try {
    fn();
  } catch (err) {
    return AppStoreError.from(err);
  }
  throw new Error('expected an error');
};

describe('readClientDeclaration', () => {
  test('reads scopes_requested and redirect_uri of the dataporten block (as oidc-app declares them)', () => {
    const declared = readClientDeclaration([
      file('README.md', 'README.md'),
      file('dataporten:\n  scopes_requested: [openid, profile, email, groups]\n  redirect_uri:\n    - /oauth2/callback\n'),
    ]);
    expect(declared).toEqual({ scopes: ['openid', 'profile', 'email', 'groups'], redirectUris: ['/oauth2/callback'] });
  });

  test('a chart without resources.yaml, or one that declares no dataporten client, declares nothing', () => {
    expect(readClientDeclaration([file('x: 1', 'values.yaml')])).toBeUndefined();
    expect(readClientDeclaration([file('')])).toBeUndefined();
    expect(readClientDeclaration([file('other: {a: 1}\n')])).toBeUndefined();
  });

  test('only the chart root resources.yaml counts, not one in a subfolder', () => {
    expect(readClientDeclaration([file('dataporten: {redirect_uri: [/cb]}', 'files/resources.yaml')])).toBeUndefined();
  });

  test('duplicates are dropped and scopes may be omitted', () => {
    expect(readClientDeclaration([file('dataporten:\n  redirect_uri: [/a, /a, /b]\n')])).toEqual({ scopes: [], redirectUris: ['/a', '/b'] });
  });

  test.each([
    ['not YAML', 'dataporten: [unclosed', /cannot be used/],
    ['not a mapping', '- a\n- b\n', /not a mapping/],
    ['dataporten not a mapping', 'dataporten: yes\n', /dataporten is not a mapping/],
    ['scopes not a list', 'dataporten: {scopes_requested: openid, redirect_uri: [/cb]}\n', /scopes_requested must be a list/],
    ['a redirect URI that is not a string', 'dataporten: {redirect_uri: [1]}\n', /redirect_uri must be a list/],
    ['no redirect URI', 'dataporten: {scopes_requested: [openid]}\n', /at least one URI/],
  ])('%s is the chart’s fault (422)', (_name, text, message) => {
    const err = errorOf(() => readClientDeclaration([file(text)]));
    expect(err.code).toBe('Unprocessable');
    expect(err.message).toMatch(message);
  });
});

describe('resolveRedirectUris', () => {
  test('relative URIs resolve against https://<host>', () => {
    expect(resolveRedirectUris(['/oauth2/callback', 'login'], 'oidc-app.local')).toEqual([
      'https://oidc-app.local/oauth2/callback',
      'https://oidc-app.local/login',
    ]);
  });

  test('a host with a port is kept; query strings survive', () => {
    expect(resolveRedirectUris(['/cb?x=1'], 'apps.example.org:8443')).toEqual(['https://apps.example.org:8443/cb?x=1']);
  });

  test('absolute URIs are kept as they are, with or without a host', () => {
    expect(resolveRedirectUris(['https://elsewhere.example.org/cb', 'http://127.0.0.1:8080/cb'], undefined)).toEqual([
      'https://elsewhere.example.org/cb',
      'http://127.0.0.1:8080/cb',
    ]);
  });

  test('a relative URI without a host value is a 422 naming values.host', () => {
    for (const host of [undefined, '', '  ', 42]) {
      const err = errorOf(() => resolveRedirectUris(['/cb'], host));
      expect(err.code).toBe('Unprocessable');
      expect(err.details.parameter).toBe('values.host');
    }
  });

  test('a host that is not a host name cannot smuggle in a path or credentials', () => {
    for (const host of ['evil.example.org/x', 'user@evil.example.org', 'a b']) {
      expect(errorOf(() => resolveRedirectUris(['/cb'], host)).code).toBe('Unprocessable');
    }
  });

  test('a redirect URI with a fragment is refused', () => {
    expect(errorOf(() => resolveRedirectUris(['/cb#x'], 'a.example.org')).message).toMatch(/fragment/);
  });
});
