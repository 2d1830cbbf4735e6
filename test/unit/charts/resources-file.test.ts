import { readResourcesFile } from '../../../src/charts/resources-file.js';
import { AppStoreError } from '../../../src/domain/errors.js';

const file = (text: string, path = 'resources.yaml') => ({ typeUrl: path, value: Buffer.from(text) });

const errorOf = (fn: () => unknown): AppStoreError => {
  try {
    fn();
  } catch (err) {
    return AppStoreError.from(err);
  }
  throw new Error('expected an error');
};

const REAL = `dataporten:
  Options:
    ScopesRequested: [profile, openid, groups]
    RedirectURI:
      - /oauth2/callback
      - https://mlflow-{{ .Values.ingress.host }}/oauth2/callback
aai:
  Options:
    ScopesRequested: [profile, openid]
    RedirectURI: [/oauth2/callback]
appstore:
  Options:
    Standards: [defaultMount]
`;

describe('readResourcesFile', () => {
  test('reads the published format: both client sections as one client (their union), and the standards', () => {
    expect(readResourcesFile([file('x: 1', 'values.yaml'), file(REAL)])).toEqual({
      client: {
        sections: ['dataporten', 'aai'],
        scopes: ['profile', 'openid', 'groups'],
        redirectUris: ['/oauth2/callback', 'https://mlflow-{{ .Values.ingress.host }}/oauth2/callback'],
      },
      standards: ['defaultMount'],
    });
  });

  test('the 2018 shape: a dataporten section alone', () => {
    const text = 'dataporten:\n  Options:\n    ScopesRequested: [groups, userid, profile]\n    RedirectURI: ["", /dataporten/callback]\n';
    expect(readResourcesFile([file(text)])).toEqual({
      client: { sections: ['dataporten'], scopes: ['groups', 'userid', 'profile'], redirectUris: ['/dataporten/callback'] },
      standards: [],
    });
  });

  test('an aai section alone, and standards without any client', () => {
    expect(readResourcesFile([file('aai:\n  Options:\n    RedirectURI: [/cb]\n')])?.client).toEqual({ sections: ['aai'], scopes: [], redirectUris: ['/cb'] });
    expect(readResourcesFile([file('appstore:\n  Options:\n    Standards: [defaultMount, somethingNew]\n')])).toEqual({ standards: ['defaultMount', 'somethingNew'] });
  });

  test("the store's first format is still read as an alias", () => {
    const text = 'dataporten:\n  scopes_requested: [openid, profile, email, groups]\n  redirect_uri:\n    - /oauth2/callback\n';
    expect(readResourcesFile([file(text)])?.client).toEqual({ sections: ['dataporten'], scopes: ['openid', 'profile', 'email', 'groups'], redirectUris: ['/oauth2/callback'] });
  });

  test('a chart without resources.yaml, or with an empty one, declares nothing; one in a subfolder does not count', () => {
    expect(readResourcesFile([file('x: 1', 'values.yaml')])).toBeUndefined();
    expect(readResourcesFile([file('')])).toBeUndefined();
    expect(readResourcesFile([file('other: {a: 1}\n')])).toEqual({ standards: [] });
    expect(readResourcesFile([file('dataporten: {redirect_uri: [/cb]}', 'files/resources.yaml')])).toBeUndefined();
  });

  test('duplicates are dropped', () => {
    expect(readResourcesFile([file('dataporten:\n  redirect_uri: [/a, /a, /b]\n')])?.client?.redirectUris).toEqual(['/a', '/b']);
  });

  test.each([
    ['not YAML', 'dataporten: [unclosed', /cannot be used/],
    ['not a mapping', '- a\n- b\n', /not a mapping/],
    ['dataporten not a mapping', 'dataporten: yes\n', /dataporten is not a mapping/],
    ['Options not a mapping', 'aai:\n  Options: [a]\n', /aai\.Options is not a mapping/],
    ['ScopesRequested not a list', 'aai: {Options: {ScopesRequested: openid, RedirectURI: [/cb]}}\n', /aai\.Options\.ScopesRequested must be a list of strings/],
    ['a redirect URI that is not a string', 'dataporten: {Options: {RedirectURI: [1]}}\n', /dataporten\.Options\.RedirectURI must be a list/],
    ['no redirect URI', 'dataporten: {Options: {ScopesRequested: [openid]}}\naai: {Options: {RedirectURI: []}}\n', /dataporten\.Options\.RedirectURI and aai\.Options\.RedirectURI name no redirect URI/],
    ['Standards not a list', 'appstore: {Options: {Standards: defaultMount}}\n', /appstore\.Options\.Standards must be a list/],
  ])('%s is the chart’s fault (422)', (_name, text, message) => {
    const err = errorOf(() => readResourcesFile([file(text)]));
    expect(err.code).toBe('Unprocessable');
    expect(err.message).toMatch(message);
  });
});
