/**
 * The catalog over real HTTP chart repositories: the project's sample
 * repository (served by the integration setup) and repositories written for
 * a test and served with serveChartRepo — listing, detail, search, ranking,
 * paging, deprecated, prerelease and development flags.
 */
import yaml from 'js-yaml';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepoConfig } from '../../src/catalog/index.js';
import { cleanUp, newCatalog, onCleanUp, rejection, tempDir } from '../fixtures/catalog/catalogs.js';
import { entry, indexYaml, writeIndex, type Entry } from '../fixtures/catalog/index-yaml.js';
import { serveChartRepo } from '../harness/serve-chart-repo.js';
import { readTestEnv } from '../harness/test-env.js';

const env = readTestEnv();

afterEach(cleanUp);

/** Serves a hand-written index.yaml and returns the repository's config. */
async function repoOf(name: string, entries: Entry[], extra: Partial<RepoConfig> = {}): Promise<RepoConfig> {
  const dir = await tempDir();
  await writeIndex(dir, indexYaml(entries));
  const served = await serveChartRepo(dir);
  onCleanUp(() => served.close());
  return { name, url: served.url, ...extra };
}

async function started(repos: RepoConfig[]) {
  const { catalog, log } = newCatalog({ repos });
  await catalog.start();
  expect(catalog.ready()).toBe(true);
  return { catalog, log };
}

describe('the sample repository', () => {
  it('lists its charts with the chart of the newest version and every version, newest first', async () => {
    const { catalog } = await started([{ name: 'sample', url: env.repoUrl }]);
    const index = yaml.load(await readFile(join(env.repoDir, 'index.yaml'), 'utf8')) as {
      entries: Record<string, Array<{ version: string; digest: string; created: string }>>;
    };
    const page = await catalog.list({});
    expect(page.packages.map((p) => p.id)).toEqual([
      'sample/dashboard',
      'sample/hello',
      'sample/notebook',
      'sample/oidc-app',
      'sample/stack',
      'sample/widgets',
      'sample/wiki',
    ]);
    expect(page.total).toBe(7);
    expect(page.staleSeconds).toBe(0);
    const hello = page.packages[1]!;
    expect(hello.repo).toBe('sample');
    expect(hello.chart).toMatchObject({ name: 'hello', version: '1.1.0', appVersion: '1.25.3', deprecated: false });
    expect(hello.chart.keywords).toEqual(['demo', 'web', 'hello']);
    expect(hello.chart.maintainers).toEqual([{ name: 'App Store maintainers', email: 'appstore@example.org', url: '' }]);
    expect(hello.versions.map((v) => [v.version, v.appVersion, v.digest, v.created])).toEqual(
      ['1.1.0', '1.0.0'].map((version) => {
        const e = index.entries.hello!.find((x) => x.version === version)!;
        return [version, version === '1.1.0' ? '1.25.3' : '1.25.0', e.digest, e.created];
      }),
    );
  });

  it('opens a version: Chart.yaml, README, values.yaml and values.schema.json from its archive', async () => {
    const { catalog } = await started([{ name: 'sample', url: env.repoUrl }]);
    const detail = await catalog.getVersion('sample/hello', '1.0.0');
    const source = join('test', 'charts', 'hello-1.0.0');
    expect(detail.id).toBe('sample/hello');
    expect(detail.version.version).toBe('1.0.0');
    expect(detail.chart).toMatchObject({ name: 'hello', version: '1.0.0', appVersion: '1.25.0' });
    expect(detail.readme).toBe(await readFile(join(source, 'README.md'), 'utf8'));
    expect(detail.valuesYaml).toBe(await readFile(join(source, 'values.yaml'), 'utf8'));
    expect(detail.valuesSchema).toEqual(JSON.parse(await readFile(join(source, 'values.schema.json'), 'utf8')));
  });

  it('resolves a bare chart name, and says NotFound for unknown packages and versions', async () => {
    const { catalog } = await started([{ name: 'sample', url: env.repoUrl }]);
    expect((await catalog.get('stack')).id).toBe('sample/stack');
    expect((await rejection(catalog.get('sample/nope'))).code).toBe('NotFound');
    expect((await rejection(catalog.get('nope'))).code).toBe('NotFound');
    const version = await rejection(catalog.getVersion('sample/hello', '9.9.9'));
    expect(version.code).toBe('NotFound');
    expect(version.message).toBe('package sample/hello has no version 9.9.9');
    expect((await rejection(catalog.fetchArchive('sample/hello', '9.9.9'))).code).toBe('NotFound');
  });
});

describe('search and paging', () => {
  async function wordpressCatalog() {
    const stable = await repoOf('stable', [
      entry('wordpress', '1.0.0'),
      entry('my-wordpress', '1.0.0'),
      entry('wordpress-ha', '1.0.0'),
      entry('blog', '1.0.0', { keywords: ['WordPress'] }),
      entry('cms', '1.0.0', { description: 'Publishing with WordPress.' }),
      entry('nginx', '1.0.0', { keywords: ['web'] }),
    ]);
    const community = await repoOf('community', [entry('wordpress', '2.0.0'), entry('alpha', '1.0.0')]);
    return started([stable, community]);
  }

  it('ranks exact name, name prefix, name substring, keyword, description; ties by name then repository', async () => {
    const { catalog } = await wordpressCatalog();
    const page = await catalog.list({ query: 'WordPress' });
    expect(page.packages.map((p) => p.id)).toEqual([
      'community/wordpress',
      'stable/wordpress',
      'stable/wordpress-ha',
      'stable/my-wordpress',
      'stable/blog',
      'stable/cms',
    ]);
    expect(page.total).toBe(6);
  });

  it('pages a listing and a search, with the total before paging', async () => {
    const { catalog } = await wordpressCatalog();
    const all = (await catalog.list({})).packages.map((p) => p.id);
    expect(all).toHaveLength(8);
    const page = await catalog.list({ limit: 3, offset: 2 });
    expect(page.packages.map((p) => p.id)).toEqual(all.slice(2, 5));
    expect(page.total).toBe(8);
    const searched = await catalog.list({ query: 'wordpress', limit: 2, offset: 4 });
    expect(searched.packages.map((p) => p.id)).toEqual(['stable/blog', 'stable/cms']);
    expect(searched.total).toBe(6);
    const json = await catalog.listJson({ query: 'wordpress', limit: 2, offset: 4 });
    expect(JSON.parse(json.body.toString('utf8'))).toEqual(searched.packages);
    expect(json.total).toBe(6);
  });

  it('refuses bad paging parameters, naming them', async () => {
    const { catalog } = await wordpressCatalog();
    const err = await rejection(catalog.list({ limit: -1 }));
    expect(err.code).toBe('InvalidArgument');
    expect(err.details.parameter).toBe('limit');
  });

  it('refuses an ambiguous bare name, naming the candidates', async () => {
    const { catalog } = await wordpressCatalog();
    const err = await rejection(catalog.get('wordpress'));
    expect(err.code).toBe('InvalidArgument');
    expect(err.details.candidates).toEqual(['community/wordpress', 'stable/wordpress']);
  });
});

describe('deprecated, prerelease and development versions', () => {
  it('hides deprecated packages unless asked, and still finds them by id', async () => {
    const repo = await repoOf('stable', [
      entry('old', '1.0.0', { deprecated: true }),
      entry('fine', '1.0.0'),
      // Only its prerelease is deprecated: the package shows its stable version, and is listed.
      entry('next', '2.0.0-rc.1', { deprecated: true }),
      entry('next', '1.0.0'),
    ]);
    const { catalog } = await started([repo]);
    expect((await catalog.list({})).packages.map((p) => p.id)).toEqual(['stable/fine', 'stable/next']);
    const withDeprecated = await catalog.list({ deprecated: true });
    expect(withDeprecated.packages.map((p) => p.id)).toEqual(['stable/fine', 'stable/next', 'stable/old']);
    expect(withDeprecated.packages[2]?.chart.deprecated).toBe(true);
    expect((await catalog.list({ query: 'old' })).total).toBe(0);
    expect((await catalog.get('stable/old')).chart.deprecated).toBe(true);
  });

  it('lists prereleases, marked, and shows the newest stable version as the chart', async () => {
    const repo = await repoOf('stable', [entry('app', '1.0.0'), entry('app', '2.0.0-beta.1'), entry('app', '1.1.0')]);
    const { catalog } = await started([repo]);
    const app = await catalog.get('stable/app');
    expect(app.chart.version).toBe('1.1.0');
    expect(app.versions.map((v) => [v.version, v.prerelease])).toEqual([
      ['2.0.0-beta.1', true],
      ['1.1.0', false],
      ['1.0.0', false],
    ]);
  });

  it('marks every version of a development repository, and no other', async () => {
    const stable = await repoOf('stable', [entry('app', '1.0.0')]);
    const testing = await repoOf('testing', [entry('app', '1.1.0'), entry('tool', '0.1.0')], { development: true });
    const { catalog } = await started([stable, testing]);
    const flags = (await catalog.list({})).packages.map((p) => [p.id, p.versions.map((v) => v.development)]);
    expect(flags).toEqual([
      ['stable/app', [false]],
      ['testing/app', [true]],
      ['testing/tool', [true]],
    ]);
    expect(catalog.status().repos.map((r) => [r.name, r.development])).toEqual([
      ['stable', false],
      ['testing', true],
    ]);
  });
});
