import { authHeaders } from '../../../src/catalog/repo-auth.js';
import type { RepoConfig } from '../../../src/catalog/repo-config.js';

const basic: RepoConfig = {
  name: 'stable',
  url: 'https://charts.example.org/stable',
  auth: { kind: 'basic', username: 'robot', password: 'pä:ss' },
};
const bearer: RepoConfig = { name: 'b', url: 'http://127.0.0.1:8080', auth: { kind: 'bearer', token: 'tok' } };

describe('authHeaders', () => {
  it('sends basic credentials, UTF-8 encoded, to the repository origin', () => {
    const header = authHeaders(basic, 'https://charts.example.org/other/path/x.tgz').authorization;
    expect(header).toBe(`Basic ${Buffer.from('robot:pä:ss', 'utf8').toString('base64')}`);
  });

  it('sends a bearer token to the repository origin', () => {
    expect(authHeaders(bearer, 'http://127.0.0.1:8080/index.yaml')).toEqual({ authorization: 'Bearer tok' });
  });

  it.each([
    'https://cdn.example.net/x.tgz',
    'http://charts.example.org/stable/x.tgz',
    'https://charts.example.org:8443/stable/x.tgz',
  ])('sends nothing to another origin: %s', (url) => {
    expect(authHeaders(basic, url)).toEqual({});
  });

  it('sends nothing for a repository without credentials', () => {
    expect(authHeaders({ name: 'x', url: 'https://x.example.org' }, 'https://x.example.org/a.tgz')).toEqual({});
  });
});
