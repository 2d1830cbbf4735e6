/**
 * Chart archives over real HTTP: fetched on demand, checked against the
 * index digest (a mismatch is refused and never cached), cached by size,
 * from relative or absolute URLs, with credentials for the repository's own
 * origin only.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { RepoConfig } from '../../src/catalog/index.js';
import { cleanUp, newCatalog, onCleanUp, rejection, tempDir } from '../fixtures/catalog/catalogs.js';
import { authServer } from '../fixtures/catalog/http-servers.js';
import { entry, indexYaml, writeIndex } from '../fixtures/catalog/index-yaml.js';
import { buildChartRepo, SAMPLE_CHARTS_DIR, type ChartRepo } from '../harness/chart-repo.js';
import { serveChartRepo, type ServedChartRepo } from '../harness/serve-chart-repo.js';

afterEach(cleanUp);

async function serve(dir: string): Promise<ServedChartRepo> {
  const repo = await serveChartRepo(dir);
  onCleanUp(() => repo.close());
  return repo;
}

/** The sample charts packed afresh into a temp folder (so that a test may damage them) and served. */
async function sampleRepo(baseUrl?: (url: string) => string): Promise<{ built: ChartRepo; served: ServedChartRepo }> {
  const dir = await tempDir();
  let built = await buildChartRepo(SAMPLE_CHARTS_DIR, dir);
  const served = await serve(dir);
  if (baseUrl) built = await buildChartRepo(SAMPLE_CHARTS_DIR, dir, { baseUrl: baseUrl(served.url) });
  return { built, served };
}

const archiveRequests = (repo: ServedChartRepo) => repo.requests.filter((r) => r.url.endsWith('.tgz'));

async function startedCatalog(repo: RepoConfig, options: { archiveCacheBytes?: number; archiveMaxBytes?: number } = {}) {
  const { catalog, log } = newCatalog({ repos: [repo], ...options });
  await catalog.start();
  expect(catalog.ready()).toBe(true);
  return { catalog, log };
}

describe('fetching an archive', () => {
  it('returns the bytes the index vouches for, downloading them once', async () => {
    const { built, served } = await sampleRepo();
    const { catalog } = await startedCatalog({ name: 's', url: served.url });
    const hello = built.charts.find((c) => c.name === 'hello' && c.version === '1.1.0')!;
    const first = await catalog.fetchArchive('s/hello', '1.1.0');
    expect(first.equals(await readFile(hello.path))).toBe(true);
    const second = await catalog.fetchArchive('hello', '1.1.0');
    await catalog.getVersion('s/hello', '1.1.0');
    expect(second.equals(first)).toBe(true);
    expect(archiveRequests(served).map((r) => [r.url, r.status])).toEqual([['/hello-1.1.0.tgz', 200]]);
    expect(catalog.status().counters).toMatchObject({ archiveRequests: 3, archiveCacheHits: 2 });
  });

  it('hands out copies: changing one does not change what the cache serves', async () => {
    const { served } = await sampleRepo();
    const { catalog } = await startedCatalog({ name: 's', url: served.url });
    const first = await catalog.fetchArchive('s/stack', '0.1.0');
    const pristine = Buffer.from(first);
    first.fill(0);
    expect((await catalog.fetchArchive('s/stack', '0.1.0')).equals(pristine)).toBe(true);
  });

  it('refuses an archive whose digest does not match, and does not keep it', async () => {
    const { built, served } = await sampleRepo();
    const { catalog, log } = await startedCatalog({ name: 's', url: served.url });
    const hello = built.charts.find((c) => c.name === 'hello' && c.version === '1.0.0')!;
    const original = await readFile(hello.path);
    await copyFile(built.charts.find((c) => c.name === 'stack')!.path, hello.path);
    const actual = createHash('sha256').update(await readFile(hello.path)).digest('hex');

    for (const call of [() => catalog.fetchArchive('s/hello', '1.0.0'), () => catalog.getVersion('s/hello', '1.0.0')]) {
      const err = await rejection(call());
      expect(err.code).toBe('Unavailable');
      expect(err.message).toMatch(/does not match the repository index .*refused/);
      expect(err.details).toMatchObject({ reason: 'digest-mismatch', expected: hello.digest, actual });
    }
    expect(catalog.status().counters.digestMismatches).toBe(2);
    expect(catalog.status().archiveCache.entries).toBe(0);
    expect(log.lines().some((l) => l.msg === 'chart archive download failed')).toBe(true);

    // Repaired upstream: fetched again (nothing bad was cached) and served.
    await writeFile(hello.path, original);
    expect((await catalog.fetchArchive('s/hello', '1.0.0')).equals(original)).toBe(true);
    expect(archiveRequests(served)).toHaveLength(3);
  });

  it('keeps the cache within its byte bound, evicting the least recently used', async () => {
    const { built, served } = await sampleRepo();
    const size = (name: string) => built.charts.find((c) => c.name === name)!;
    const hello = (await readFile(size('hello').path)).length;
    const stack = (await readFile(size('stack').path)).length;
    const { catalog } = await startedCatalog({ name: 's', url: served.url }, { archiveCacheBytes: Math.max(hello, stack) + 10 });
    await catalog.fetchArchive('s/hello', '1.1.0');
    await catalog.fetchArchive('s/stack', '0.1.0');
    expect(catalog.status().archiveCache.entries).toBe(1);
    expect(catalog.status().archiveCache.bytes).toBeLessThanOrEqual(Math.max(hello, stack) + 10);
    await catalog.fetchArchive('s/hello', '1.1.0');
    expect(archiveRequests(served).map((r) => r.url)).toEqual(['/hello-1.1.0.tgz', '/stack-0.1.0.tgz', '/hello-1.1.0.tgz']);
  });

  it('refuses an archive larger than the limit', async () => {
    const { served } = await sampleRepo();
    const { catalog } = await startedCatalog({ name: 's', url: served.url }, { archiveMaxBytes: 100 });
    const err = await rejection(catalog.fetchArchive('s/hello', '1.1.0'));
    expect(err.code).toBe('Unavailable');
    expect(err.details.reason).toBe('too-large');
    expect(err.message).toMatch(/sent more than the limit of 100 bytes/);
  });
});

describe('archive URLs', () => {
  it('follows absolute URLs written into the index', async () => {
    const { served, built } = await sampleRepo((url) => `${url}/`);
    expect(built.index.entries.hello?.[0]?.urls[0]).toBe(`${served.url}/hello-1.1.0.tgz`);
    const { catalog } = await startedCatalog({ name: 's', url: served.url });
    expect((await catalog.getVersion('s/hello', '1.1.0')).chart.version).toBe('1.1.0');
  });

  it('resolves relative URLs against a repository served under a path', async () => {
    const root = await tempDir();
    await buildChartRepo(SAMPLE_CHARTS_DIR, join(root, 'charts', 'stable'));
    const served = await serve(root);
    const { catalog } = await startedCatalog({ name: 's', url: `${served.url}/charts/stable` });
    await catalog.fetchArchive('s/stack', '0.1.0');
    expect(archiveRequests(served).map((r) => r.url)).toEqual(['/charts/stable/stack-0.1.0.tgz']);
  });

  it('sends the repository credentials to its own origin only, not to a host the index points at', async () => {
    const { built, served: cdn } = await sampleRepo();
    const hello = built.charts.find((c) => c.name === 'hello' && c.version === '1.1.0')!;
    const token = 'repo-token';
    const index = indexYaml([
      entry('hello', '1.1.0', { digest: hello.digest, urls: [`${cdn.url}/hello-1.1.0.tgz`] }),
      entry('hello', '1.0.0', {
        digest: built.charts.find((c) => c.name === 'hello' && c.version === '1.0.0')!.digest,
        urls: ['hello-1.0.0.tgz'],
      }),
    ]);
    const own = await authServer(`Bearer ${token}`, {
      '/index.yaml': index,
      '/hello-1.0.0.tgz': await readFile(join(built.dir, 'hello-1.0.0.tgz')),
    });
    onCleanUp(() => own.close());
    const { catalog } = await startedCatalog({ name: 'p', url: own.url, auth: { kind: 'bearer', token } });
    await catalog.fetchArchive('p/hello', '1.1.0');
    await catalog.fetchArchive('p/hello', '1.0.0');
    expect(own.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/index.yaml', `Bearer ${token}`],
      ['/hello-1.0.0.tgz', `Bearer ${token}`],
    ]);
    expect(archiveRequests(cdn).map((r) => r.url)).toEqual(['/hello-1.1.0.tgz']);
  });
});

describe('opening a version', () => {
  it('refuses an archive that holds another chart than the index says', async () => {
    const { built } = await sampleRepo();
    const dir = await tempDir();
    const stack = built.charts.find((c) => c.name === 'stack')!;
    await copyFile(stack.path, join(dir, 'hello-9.0.0.tgz'));
    await writeIndex(dir, indexYaml([entry('hello', '9.0.0', { digest: stack.digest })]));
    const served = await serve(dir);
    const { catalog } = await startedCatalog({ name: 'x', url: served.url });
    const err = await rejection(catalog.getVersion('x/hello', '9.0.0'));
    expect(err.code).toBe('Unprocessable');
    expect(err.message).toBe('the archive of x/hello 9.0.0 holds stack 0.1.0, not what the repository index says');
  });

  it('refuses an archive that is not a chart', async () => {
    const dir = await tempDir();
    const junk = Buffer.from('not a tarball');
    await writeFile(join(dir, 'junk-1.0.0.tgz'), junk);
    const digest = createHash('sha256').update(junk).digest('hex');
    await writeIndex(dir, indexYaml([entry('junk', '1.0.0', { digest })]));
    const served = await serve(dir);
    const { catalog } = await startedCatalog({ name: 'x', url: served.url });
    const err = await rejection(catalog.getVersion('x/junk', '1.0.0'));
    expect(err.code).toBe('Unprocessable');
    expect(err.message).toMatch(/^the archive of x\/junk 1.0.0 is not a valid chart: /);
  });
});
