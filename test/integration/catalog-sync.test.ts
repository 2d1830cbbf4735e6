/**
 * Keeping indexes fresh over real HTTP: conditional refreshes, the last good
 * copy while a repository is down, 503 before the first load, malformed
 * entries, and the limits (size, time) on every download.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanUp, newCatalog, onCleanUp, rejection, tempDir } from '../fixtures/catalog/catalogs.js';
import {
  authServer,
  chunkedServer,
  hangingServer,
  tricklingServer,
  type TestServer,
} from '../fixtures/catalog/http-servers.js';
import { entry, indexYaml, writeIndex } from '../fixtures/catalog/index-yaml.js';
import { serveChartRepo, type ServedChartRepo } from '../harness/serve-chart-repo.js';

afterEach(cleanUp);

async function served(dir: string, port?: number): Promise<ServedChartRepo> {
  const repo = await serveChartRepo(dir, port === undefined ? {} : { port });
  onCleanUp(() => repo.close().catch(() => undefined));
  return repo;
}

async function repoDir(entries = [entry('app', '1.0.0')]): Promise<string> {
  const dir = await tempDir();
  await writeIndex(dir, indexYaml(entries));
  return dir;
}

function track(server: TestServer): TestServer {
  onCleanUp(() => server.close());
  return server;
}

const indexRequests = (repo: ServedChartRepo) =>
  repo.requests.filter((r) => r.url === '/index.yaml').map((r) => r.status);

describe('refreshing', () => {
  it('asks conditionally and keeps its copy on 304, without a new generation', async () => {
    const repo = await served(await repoDir());
    const { catalog } = newCatalog({ repos: [{ name: 'r', url: repo.url }] });
    await catalog.start();
    const before = await catalog.listJson({});
    const generation = catalog.status().generation;
    await catalog.refresh();
    await catalog.refresh();
    expect(indexRequests(repo)).toEqual([200, 304, 304]);
    const after = await catalog.listJson({});
    expect(catalog.status().generation).toBe(generation);
    expect(after.body).toBe(before.body);
    expect(after.etag).toBe(before.etag);
    expect(catalog.status().counters).toMatchObject({ indexRequests: 3, indexUpdates: 1, indexNotModified: 2 });
  });

  it('loads a changed index and serves it as a new generation', async () => {
    const dir = await repoDir();
    const repo = await served(dir);
    const { catalog } = newCatalog({ repos: [{ name: 'r', url: repo.url }] });
    await catalog.start();
    const { etag } = await catalog.listJson({});
    const generation = catalog.status().generation;
    await writeIndex(dir, indexYaml([entry('app', '1.0.0'), entry('app', '1.1.0'), entry('new', '0.1.0')]));
    await catalog.refresh();
    expect(indexRequests(repo)).toEqual([200, 200]);
    const page = await catalog.list({});
    expect(page.packages.map((p) => [p.id, p.versions.length])).toEqual([
      ['r/app', 2],
      ['r/new', 1],
    ]);
    expect(catalog.status().generation).toBe(generation + 1);
    expect((await catalog.listJson({})).etag).not.toBe(etag);
  });

  it('refreshes on its own at the interval', async () => {
    const dir = await repoDir();
    const repo = await served(dir);
    const { catalog } = newCatalog({ repos: [{ name: 'r', url: repo.url }], refreshIntervalMs: 200 });
    await catalog.start();
    await writeIndex(dir, indexYaml([entry('app', '1.0.0'), entry('later', '1.0.0')]));
    await waitFor(async () => (await catalog.list({})).total === 2);
    expect(indexRequests(repo).length).toBeGreaterThanOrEqual(2);
  });
});

describe('a repository that fails', () => {
  it('keeps serving the last good copy, says how stale it is, and recovers', async () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const dir = await repoDir();
    const first = await served(dir);
    const { catalog, log } = newCatalog({ repos: [{ name: 'r', url: first.url }] }, { now: () => now });
    await catalog.start();
    await first.close();

    now += 90_000;
    await catalog.refresh();
    const page = await catalog.list({});
    expect(page.packages.map((p) => p.id)).toEqual(['r/app']);
    expect(page.staleSeconds).toBe(90);
    now += 30_000;
    expect((await catalog.list({})).staleSeconds).toBe(120);
    const status = catalog.status();
    expect(status.repos[0]).toMatchObject({ loaded: true, failing: true });
    expect(status.repos[0]?.lastError).toMatch(/ECONNREFUSED/);
    expect(status.counters.indexFailures).toBe(1);
    expect(log.lines().some((l) => l.msg === 'chart repository refresh failed; serving its last good index')).toBe(true);

    const again = await served(dir, first.port);
    await catalog.refresh();
    expect(indexRequests(again)).toEqual([304]);
    expect((await catalog.list({})).staleSeconds).toBe(0);
  });

  it('keeps the last good copy when the new index is not YAML', async () => {
    const dir = await repoDir();
    const repo = await served(dir);
    const { catalog } = newCatalog({ repos: [{ name: 'r', url: repo.url }] });
    await catalog.start();
    await writeFile(join(dir, 'index.yaml'), 'entries: [not, closed');
    await catalog.refresh();
    expect((await catalog.list({})).packages.map((p) => p.id)).toEqual(['r/app']);
    expect(catalog.status().repos[0]?.lastError).toMatch(/index.yaml is malformed/);
    // The bad index's ETag was not kept: asking again fetches it again, and it still fails (no 304 hiding it).
    await catalog.refresh();
    expect(indexRequests(repo)).toEqual([200, 200, 200]);
    expect(catalog.status().repos[0]?.failing).toBe(true);
  });

  it('answers Unavailable before the first load, naming why, then loads when the repository comes up', async () => {
    const dir = await repoDir();
    const probe = await served(dir);
    const port = probe.port;
    await probe.close();
    const { catalog } = newCatalog({ repos: [{ name: 'r', url: probe.url }], startupRetryMs: 100 });
    await catalog.start();
    expect(catalog.ready()).toBe(false);
    const calls = [
      () => catalog.list({}),
      () => catalog.get('app'),
      () => catalog.listJson({}),
      () => catalog.fetchArchive('r/app', '1.0.0'),
    ];
    for (const call of calls) {
      const err = await rejection(call());
      expect(err.code).toBe('Unavailable');
      expect(err.message).toMatch(/the catalog is not available yet: no chart repository has loaded \(r: .*ECONNREFUSED/);
      expect(err.details.repos).toEqual([{ name: 'r', error: expect.stringMatching(/ECONNREFUSED/) }]);
    }
    await served(dir, port);
    await waitFor(async () => catalog.ready());
    expect((await catalog.list({})).packages.map((p) => p.id)).toEqual(['r/app']);
  });

  it('serves the repositories that loaded while another is down, and counts that as stale', async () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const good = await served(await repoDir());
    const down = await hangingServer().then(track);
    const { catalog } = newCatalog(
      {
        repos: [
          { name: 'good', url: good.url },
          { name: 'down', url: down.url },
        ],
        indexTimeoutMs: 200,
      },
      { now: () => now },
    );
    await catalog.start();
    now += 5_000;
    const page = await catalog.list({});
    expect(page.packages.map((p) => p.id)).toEqual(['good/app']);
    expect(page.staleSeconds).toBe(5);
    expect(catalog.status().repos.map((r) => [r.name, r.loaded])).toEqual([
      ['good', true],
      ['down', false],
    ]);
  });
});

describe('malformed entries', () => {
  it('are skipped, logged and counted; the rest loads', async () => {
    const dir = await tempDir();
    await writeIndex(
      dir,
      indexYaml([
        entry('ok', '1.0.0'),
        entry('noname', '1.0.0', { name: undefined, key: 'noname' }),
        entry('badver', 'latest'),
        entry('dup', '1.0.0'),
        entry('dup', '1.0.0'),
      ]),
    );
    const repo = await served(dir);
    const { catalog, log } = newCatalog({ repos: [{ name: 'r', url: repo.url }] });
    await catalog.start();
    expect((await catalog.list({})).packages.map((p) => [p.id, p.versions.length])).toEqual([
      ['r/dup', 1],
      ['r/ok', 1],
    ]);
    expect(catalog.status().repos[0]?.skippedEntries).toBe(3);
    expect(catalog.status().counters.entriesSkipped).toBe(3);
    const warning = log.lines().find((l) => l.msg === 'malformed chart repository index entries skipped');
    expect(warning).toMatchObject({ repo: 'r', count: 3 });
    expect(warning?.entries).toEqual([
      { chart: 'noname', version: '1.0.0', reason: 'no name' },
      { chart: 'badver', version: 'latest', reason: 'version "latest" is not a valid semantic version' },
      { chart: 'dup', version: '1.0.0', reason: 'duplicate of version 1.0.0' },
    ]);
  });
});

describe('download limits', () => {
  it('refuses an index larger than the limit when the length is declared', async () => {
    const repo = await served(await repoDir());
    const { catalog } = newCatalog({ repos: [{ name: 'r', url: repo.url }], indexMaxBytes: 64 });
    await catalog.start();
    expect(catalog.ready()).toBe(false);
    expect(catalog.status().repos[0]?.lastError).toMatch(/sent more than the limit of 64 bytes/);
  });

  it('stops reading a streamed index once it passes the limit', async () => {
    const big = Buffer.from(indexYaml(Array.from({ length: 200 }, (_, i) => entry(`c${i}`, '1.0.0'))));
    const server = track(await chunkedServer(big));
    const { catalog } = newCatalog({ repos: [{ name: 'r', url: server.url }], indexMaxBytes: 10_000 });
    await catalog.start();
    expect(catalog.ready()).toBe(false);
    expect(catalog.status().repos[0]?.lastError).toMatch(/sent more than the limit of 10000 bytes/);
    // The same server within a limit that fits: the index itself is fine.
    const { catalog: roomy } = newCatalog({ repos: [{ name: 'r', url: server.url }], indexMaxBytes: big.length });
    await roomy.start();
    expect((await roomy.list({})).total).toBe(200);
  });

  it('gives up on a repository that does not answer in time', async () => {
    const server = track(await hangingServer());
    const { catalog } = newCatalog({ repos: [{ name: 'r', url: server.url }], indexTimeoutMs: 300 });
    const started = Date.now();
    await catalog.start();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(catalog.status().repos[0]?.lastError).toBe(`GET ${server.url}/index.yaml did not answer within 300 ms`);
  });

  it('gives up on a body that trickles in past the deadline', async () => {
    const server = track(await tricklingServer(50));
    const { catalog } = newCatalog({ repos: [{ name: 'r', url: server.url }], indexTimeoutMs: 400 });
    const started = Date.now();
    await catalog.start();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(catalog.status().repos[0]?.lastError).toMatch(/did not answer within 400 ms/);
  });
});

describe('credentials', () => {
  const password = 'pw-not-for-logs';
  const basic = `Basic ${Buffer.from(`robot:${password}`).toString('base64')}`;

  it('sends basic credentials to the repository', async () => {
    const server = track(await authServer(basic, { '/index.yaml': indexYaml([entry('app', '1.0.0')]) }));
    const { catalog } = newCatalog({
      repos: [{ name: 'r', url: server.url, auth: { kind: 'basic', username: 'robot', password } }],
    });
    await catalog.start();
    expect((await catalog.list({})).total).toBe(1);
  });

  it('fails without them, and never logs them', async () => {
    const server = track(await authServer(basic, { '/index.yaml': indexYaml([entry('app', '1.0.0')]) }));
    const { catalog, log } = newCatalog({
      repos: [{ name: 'r', url: server.url, auth: { kind: 'basic', username: 'robot', password: 'wrong' } }],
    });
    await catalog.start();
    expect(catalog.status().repos[0]?.lastError).toBe(`GET ${server.url}/index.yaml answered 401 Unauthorized`);
    expect(log.text()).toContain('401');
    expect(log.text()).not.toContain('wrong');
    expect(log.text()).not.toContain(Buffer.from('robot:wrong').toString('base64'));
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
