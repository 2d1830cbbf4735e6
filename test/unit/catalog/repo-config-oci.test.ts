import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRepoConfigs } from '../../../src/catalog/repo-config.js';
import { loadConfig } from '../../../src/config.js';
import { AppStoreError } from '../../../src/domain/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'repo-config-oci-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppStoreError) return err.message;
    throw err;
  }
  throw new Error('expected an AppStoreError');
}

describe('OCI repositories in the configuration', () => {
  it('reads oci:// as an HTTPS registry with a path prefix, and oci+http:// as plain HTTP', () => {
    const env = { APPSTORE_REPOS: 'bitnami=oci://registry.example.org/bitnamicharts/,local=oci+http://127.0.0.1:5000' };
    const repos = loadRepoConfigs(loadConfig(env).repos, {});
    expect(repos).toEqual([
      {
        name: 'bitnami',
        url: 'oci://registry.example.org/bitnamicharts',
        oci: { origin: 'https://registry.example.org', path: 'bitnamicharts' },
      },
      { name: 'local', url: 'oci+http://127.0.0.1:5000', oci: { origin: 'http://127.0.0.1:5000', path: '' } },
    ]);
  });

  it('takes charts and plainHttp from the repositories file', async () => {
    await writeFile(
      join(dir, 'repos.yaml'),
      'repositories:\n  - name: team\n    url: oci://reg.example.org:8443/team/charts\n    charts: [nginx, redis]\n    plainHttp: true\n',
    );
    expect(loadRepoConfigs([], { APPSTORE_REPOS_FILE: join(dir, 'repos.yaml') })).toEqual([
      {
        name: 'team',
        url: 'oci://reg.example.org:8443/team/charts',
        oci: { origin: 'http://reg.example.org:8443', path: 'team/charts', charts: ['nginx', 'redis'] },
      },
    ]);
  });

  it.each([
    ['charts on an index.yaml repository', 'url: https://x.example.org\n    charts: [a]', /plainHttp and charts are for oci:\/\/ repositories only/],
    ['plainHttp that is not a boolean', 'url: oci://x.example.org\n    plainHttp: "yes"', /plainHttp must be true or false/],
    ['a chart name with a slash', 'url: oci://x.example.org\n    charts: [a/b]', /charts must be a list of chart names/],
    ['an upper-case chart name', 'url: oci://x.example.org\n    charts: [Nginx]', /charts must be a list of chart names/],
    ['an upper-case path', 'url: oci://x.example.org/Charts', /"Charts" is not an OCI repository path/],
    ['a query', 'url: oci://x.example.org/charts?tag=1', /no query or fragment/],
    ['no host', 'url: "oci:///charts"', /needs a registry host/],
  ])('refuses %s', async (_what, fields, expected) => {
    await writeFile(join(dir, 'repos.yaml'), `repositories:\n  - name: r\n    ${fields}\n`);
    expect(message(() => loadRepoConfigs([], { APPSTORE_REPOS_FILE: join(dir, 'repos.yaml') }))).toMatch(expected);
  });
});
