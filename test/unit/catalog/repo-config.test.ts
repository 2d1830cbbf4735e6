import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialsEnvName, loadRepoConfigs } from '../../../src/catalog/repo-config.js';
import { AppStoreError } from '../../../src/domain/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'repo-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = [
  { name: 'stable', url: 'https://charts.example.org' },
  { name: 'my-testing', url: 'http://127.0.0.1:8879/charts/' },
];

function failure(fn: () => unknown): AppStoreError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppStoreError) return err;
    throw err;
  }
  throw new Error('expected an AppStoreError');
}

describe('loadRepoConfigs', () => {
  it('takes APPSTORE_REPOS as they are, without a trailing slash', () => {
    expect(loadRepoConfigs(base, {})).toEqual([
      { name: 'stable', url: 'https://charts.example.org' },
      { name: 'my-testing', url: 'http://127.0.0.1:8879/charts' },
    ]);
  });

  it('marks the repositories of APPSTORE_DEV_REPOS as development', () => {
    const repos = loadRepoConfigs(base, { APPSTORE_DEV_REPOS: ' my-testing ' });
    expect(repos.map((r) => [r.name, r.development === true])).toEqual([
      ['stable', false],
      ['my-testing', true],
    ]);
  });

  it('refuses a development repository that is not configured', () => {
    expect(failure(() => loadRepoConfigs(base, { APPSTORE_DEV_REPOS: 'nope' })).message).toMatch(
      /APPSTORE_DEV_REPOS: nope is not a configured repository/,
    );
  });

  it('names the credentials variable after the repository', () => {
    expect(credentialsEnvName('my-testing')).toBe('APPSTORE_REPO_MY_TESTING_CREDENTIALS_FILE');
  });

  it('reads basic credentials from a YAML file and a bearer token from a mounted Secret', async () => {
    await writeFile(join(dir, 'stable.yaml'), 'username: robot\npassword: "s3cret: yes"\n');
    await mkdir(join(dir, 'secret'));
    await writeFile(join(dir, 'secret', 'token'), 'tok-123\n');
    const repos = loadRepoConfigs(base, {
      APPSTORE_REPO_STABLE_CREDENTIALS_FILE: join(dir, 'stable.yaml'),
      APPSTORE_REPO_MY_TESTING_CREDENTIALS_FILE: join(dir, 'secret'),
    });
    expect(repos.map((r) => r.auth)).toEqual([
      { kind: 'basic', username: 'robot', password: 's3cret: yes' },
      { kind: 'bearer', token: 'tok-123' },
    ]);
  });

  it('reads a kubernetes.io/basic-auth Secret mounted as a folder', async () => {
    await mkdir(join(dir, 'basic'));
    await writeFile(join(dir, 'basic', 'username'), 'robot');
    await writeFile(join(dir, 'basic', 'password'), 'pw\n');
    const [stable] = loadRepoConfigs(base.slice(0, 1), { APPSTORE_REPO_STABLE_CREDENTIALS_FILE: join(dir, 'basic') });
    expect(stable?.auth).toEqual({ kind: 'basic', username: 'robot', password: 'pw' });
  });

  it('refuses unusable credentials without quoting them', async () => {
    const env = (file: string) => ({ APPSTORE_REPO_STABLE_CREDENTIALS_FILE: join(dir, file) });
    await writeFile(join(dir, 'both.yaml'), 'token: t0ps3cret\nusername: u\npassword: p\n');
    await writeFile(join(dir, 'empty.yaml'), 'username: u\n');
    await writeFile(join(dir, 'broken.yaml'), 'password: "t0ps3cret\n  : [');
    for (const [file, message] of [
      ['both.yaml', /both a token and a username/],
      ['empty.yaml', /must hold a token, or a username and a password/],
      ['broken.yaml', /is not valid YAML/],
      ['missing.yaml', /APPSTORE_REPO_STABLE_CREDENTIALS_FILE: cannot read credentials/],
    ] as const) {
      const err = failure(() => loadRepoConfigs(base, env(file)));
      expect(err.code).toBe('InvalidArgument');
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain('t0ps3cret');
    }
  });

  it('refuses credentials in a repository URL', () => {
    const err = failure(() => loadRepoConfigs([{ name: 'stable', url: 'https://u:p@charts.example.org' }], {}));
    expect(err.message).toMatch(/put credentials in APPSTORE_REPO_STABLE_CREDENTIALS_FILE/);
  });

  it('adds the repositories of APPSTORE_REPOS_FILE, with their flags and credentials', async () => {
    await writeFile(join(dir, 'token.yaml'), 'token: abc\n');
    await writeFile(
      join(dir, 'repos.yaml'),
      [
        'repositories:',
        '  - name: extra',
        '    url: https://extra.example.org/',
        '    development: true',
        `    credentialsFile: ${join(dir, 'token.yaml')}`,
      ].join('\n'),
    );
    const repos = loadRepoConfigs(base.slice(0, 1), { APPSTORE_REPOS_FILE: join(dir, 'repos.yaml') });
    expect(repos).toEqual([
      { name: 'stable', url: 'https://charts.example.org' },
      { name: 'extra', url: 'https://extra.example.org', development: true, auth: { kind: 'bearer', token: 'abc' } },
    ]);
  });

  it('refuses a repository configured twice, and a bad repositories file', async () => {
    await writeFile(join(dir, 'dup.yaml'), 'repositories:\n  - name: stable\n    url: https://x.example.org\n');
    await writeFile(join(dir, 'bad.yaml'), 'repositories:\n  - name: Bad_Name\n    url: https://x.example.org\n');
    await writeFile(join(dir, 'ftp.yaml'), 'repositories:\n  - name: ftp\n    url: ftp://x.example.org\n');
    const file = (f: string) => ({ APPSTORE_REPOS_FILE: join(dir, f) });
    expect(failure(() => loadRepoConfigs(base, file('dup.yaml'))).message).toMatch(/stable is configured twice/);
    expect(failure(() => loadRepoConfigs(base, file('bad.yaml'))).message).toMatch(/must be a lowercase DNS label/);
    expect(failure(() => loadRepoConfigs(base, file('ftp.yaml'))).message).toMatch(/must use http, https, oci or oci\+http/);
  });
});
