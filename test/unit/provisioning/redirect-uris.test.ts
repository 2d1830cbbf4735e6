import { AppStoreError } from '../../../src/domain/errors.js';
import { resolveRedirectUris } from '../../../src/provisioning/redirect-uris.js';

const errorOf = (fn: () => unknown): AppStoreError => {
  try {
    fn();
  } catch (err) {
    return AppStoreError.from(err);
  }
  throw new Error('expected an error');
};

describe('resolveRedirectUris', () => {
  test('relative URIs resolve against https://<ingress.host>, falling back to host', () => {
    expect(resolveRedirectUris(['/oauth2/callback', 'login'], { ingress: { host: 'nb.example.org' }, host: 'other.example.org' })).toEqual([
      'https://nb.example.org/oauth2/callback',
      'https://nb.example.org/login',
    ]);
    expect(resolveRedirectUris(['/cb'], { host: 'oidc-app.local' })).toEqual(['https://oidc-app.local/cb']);
  });

  test('references to values in absolute URIs are filled in, with or without spaces inside the braces', () => {
    const values = { ingress: { host: 'nb.example.org' }, port: 8443 };
    expect(
      resolveRedirectUris(['https://mlflow-{{ .Values.ingress.host }}/cb', 'https://tb.{{.Values.ingress.host}}:{{ .Values.port }}/cb'], values),
    ).toEqual(['https://mlflow-nb.example.org/cb', 'https://tb.nb.example.org:8443/cb']);
  });

  test('a host with a port is kept; query strings survive; duplicates after resolution are dropped', () => {
    expect(resolveRedirectUris(['/cb?x=1', 'https://{{ .Values.ingress.host }}/cb?x=1'], { ingress: { host: 'apps.example.org:8443' } })).toEqual([
      'https://apps.example.org:8443/cb?x=1',
    ]);
  });

  test('absolute URIs without references need no host', () => {
    expect(resolveRedirectUris(['https://elsewhere.example.org/cb', 'http://127.0.0.1:8080/cb'], {})).toEqual([
      'https://elsewhere.example.org/cb',
      'http://127.0.0.1:8080/cb',
    ]);
  });

  test('a relative URI without a host is a 422 naming values.ingress.host', () => {
    for (const values of [{}, { ingress: { host: '' } }, { host: '  ' }, { ingress: { host: 42 } }]) {
      const err = errorOf(() => resolveRedirectUris(['/cb'], values));
      expect(err.code).toBe('Unprocessable');
      expect(err.details.parameter).toBe('values.ingress.host');
    }
  });

  test('a reference to a value that is not set is a 422 naming it', () => {
    const err = errorOf(() => resolveRedirectUris(['https://mlflow-{{ .Values.ingress.host }}/cb'], { host: 'a.example.org' }));
    expect(err.code).toBe('Unprocessable');
    expect(err.details.parameter).toBe('values.ingress.host');
  });

  test('any other template action is a 422 naming resources.yaml and the expression', () => {
    for (const uri of ['https://{{ .Release.Name }}.example.org/cb', 'https://{{ include "x" . }}/cb', '/{{ .Values.path | lower }}/cb']) {
      const err = errorOf(() => resolveRedirectUris([uri], { ingress: { host: 'a.example.org' }, path: 'x' }));
      expect(err.code).toBe('Unprocessable');
      expect(err.message).toContain('resources.yaml');
      expect(err.message).toContain(uri.slice(uri.indexOf('{{'), uri.indexOf('}}') + 2));
    }
  });

  test('a host that is not a host name cannot smuggle in a path or credentials', () => {
    for (const host of ['evil.example.org/x', 'user@evil.example.org', 'a b']) {
      expect(errorOf(() => resolveRedirectUris(['/cb'], { ingress: { host } })).code).toBe('Unprocessable');
      expect(errorOf(() => resolveRedirectUris(['https://{{ .Values.ingress.host }}/cb'], { ingress: { host } })).code).toBe('Unprocessable');
    }
  });

  test('a redirect URI with a fragment is refused', () => {
    expect(errorOf(() => resolveRedirectUris(['/cb#x'], { host: 'a.example.org' })).message).toMatch(/fragment/);
  });
});
