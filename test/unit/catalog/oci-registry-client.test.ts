import { newCounters } from '../../../src/catalog/catalog-status.js';
import { createCatalog } from '../../../src/catalog/index.js';
import { OciClient } from '../../../src/catalog/oci/oci-client.js';
import { OciRepoSync } from '../../../src/catalog/oci/oci-sync.js';
import type { RepoAuth, RepoConfig } from '../../../src/catalog/repo-config.js';
import { AppStoreError } from '../../../src/domain/errors.js';
import { createLogger } from '../../../src/observability/logger.js';
import { FakeRegistry, REGISTRY } from '../../fixtures/catalog/oci-fetch.js';

const log = createLogger('silent');
const ROBOT: RepoAuth = { kind: 'basic', username: 'robot', password: 'pw' };

function client(registry: FakeRegistry, auth?: RepoAuth, pageSize?: number): OciClient {
  return new OciClient('team', { origin: REGISTRY, path: 'charts' }, auth, {
    timeoutMs: 5000,
    maxBytes: 1 << 20,
    fetch: registry.fetch,
    now: Date.now,
    ...(pageSize !== undefined && { pageSize }),
  });
}

function repo(overrides: Partial<RepoConfig> = {}): RepoConfig {
  return { name: 'team', url: 'oci://reg.example.org/charts', oci: { origin: REGISTRY, path: 'charts' }, ...overrides };
}

function sync(registry: FakeRegistry, config: RepoConfig = repo(), concurrency?: number) {
  const counters = newCounters();
  const source = new OciRepoSync(
    config,
    { timeoutMs: 5000, maxBytes: 1 << 20, fetch: registry.fetch, now: Date.now, ...(concurrency !== undefined && { concurrency }) },
    counters,
    log,
  );
  return { source, counters };
}

async function rejection(promise: Promise<unknown>): Promise<AppStoreError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppStoreError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

const realm = (r: FakeRegistry) => r.requests.filter((q) => q.url.includes('/token'));

describe('the token flow', () => {
  it('answers a Bearer challenge with the repository\'s credentials at the realm on the same host, and caches the token', async () => {
    const registry = new FakeRegistry({ auth: 'token', realm: 'https://reg.example.org/token' });
    registry.push('charts/nginx', '1.0.0');
    const c = client(registry, ROBOT);
    expect(await c.tags('nginx', undefined)).toEqual({ tags: ['1.0.0'], etag: expect.any(String) });
    expect(await c.tags('nginx', undefined)).toMatchObject({ tags: ['1.0.0'] });
    expect(realm(registry)).toHaveLength(1);
    const tokenUrl = new URL(realm(registry)[0]!.url);
    expect(tokenUrl.searchParams.get('scope')).toBe('repository:charts/nginx:pull');
    expect(tokenUrl.searchParams.get('service')).toBe('reg');
    expect(realm(registry)[0]?.authorization).toMatch(/^Basic /);
  });

  it('asks again once a token has expired', async () => {
    const registry = new FakeRegistry({ auth: 'token', realm: 'https://reg.example.org/token', expiresIn: 1 });
    registry.push('charts/nginx', '1.0.0');
    const c = client(registry, ROBOT);
    await c.tags('nginx', undefined);
    await new Promise((r) => setTimeout(r, 600));
    await c.tags('nginx', undefined);
    expect(realm(registry)).toHaveLength(2);
  });

  it('never sends the credentials in clear text to a realm on another host', async () => {
    const registry = new FakeRegistry({ auth: 'token', realm: 'http://auth.elsewhere.example/token' });
    registry.push('charts/nginx', '1.0.0');
    const err = await rejection(client(registry, ROBOT).tags('nginx', undefined));
    expect(realm(registry).map((r) => r.authorization)).toEqual([undefined]);
    expect(err.message).toMatch(/repository team: the registry's token service http:\/\/auth.elsewhere.example\/token refused an anonymous request/);
  });

  it('says which repository\'s credentials were refused, without them', async () => {
    const registry = new FakeRegistry({ auth: 'token', realm: 'https://reg.example.org/token' });
    registry.push('charts/nginx', '1.0.0');
    const err = await rejection(client(registry, { kind: 'basic', username: 'robot', password: 'wrong-pw' }).tags('nginx', undefined));
    expect(err.message).toMatch(/repository team: .* refused the configured credentials \(401\)/);
    expect(err.message).not.toContain('wrong-pw');
    expect(JSON.stringify(err.details)).not.toContain('wrong-pw');
  });
});

describe('other credentials', () => {
  it('sends Basic auth once the registry asks for it, and says so when none is configured', async () => {
    const registry = new FakeRegistry({ auth: 'basic' });
    registry.push('charts/nginx', '1.0.0');
    const c = client(registry, ROBOT);
    await c.tags('nginx', undefined);
    await c.tags('nginx', undefined);
    expect(registry.requests.map((r) => r.authorization?.split(' ')[0])).toEqual([undefined, 'Basic', 'Basic']);
    expect((await rejection(client(registry).tags('nginx', undefined))).message).toMatch(/wants a username and password; none is configured/);
  });

  it('sends a configured token as the bearer token, to the registry\'s origin only', async () => {
    const registry = new FakeRegistry();
    registry.push('charts/nginx', '1.0.0');
    const c = client(registry, { kind: 'bearer', token: 'static-tok' });
    await c.tags('nginx', undefined);
    expect(registry.requests[0]?.authorization).toBe('Bearer static-tok');
    expect(c.auth.headers('https://cdn.example.net/blob', 'repository:charts/nginx:pull')).toEqual({});
  });
});

describe('rate limiting', () => {
  it('waits out a 429 as Retry-After asks, then goes on', async () => {
    const registry = new FakeRegistry();
    registry.push('charts/nginx', '1.0.0');
    registry.throttle.push('0');
    expect(await client(registry).tags('nginx', undefined)).toMatchObject({ tags: ['1.0.0'] });
    expect(registry.requests).toHaveLength(2);
  });

  it('gives up on a Retry-After too long to wait for, or after three 429s, saying when to try again', async () => {
    const registry = new FakeRegistry();
    registry.push('charts/nginx', '1.0.0');
    registry.throttle.push('120');
    const long = await rejection(client(registry).tags('nginx', undefined));
    expect(long.details).toMatchObject({ reason: 'rate-limited', retryAfterMs: 120_000 });
    registry.throttle.push('0', '0', '0');
    expect((await rejection(client(registry).tags('nginx', undefined))).message).toMatch(/429 Too Many Requests/);
  });

  it('does not ask a rate-limiting registry again before its Retry-After, and keeps serving the last good list', async () => {
    const registry = new FakeRegistry();
    registry.push('charts/nginx', '1.0.0');
    const { source } = sync(registry);
    expect(await source.refresh(new AbortController().signal)).toBe('updated');
    registry.throttle.push('120');
    const asked = registry.requests.length;
    expect(await source.refresh(new AbortController().signal)).toBe('failed');
    expect(await source.refresh(new AbortController().signal)).toBe('unchanged');
    expect(registry.requests.length).toBe(asked + 1);
    expect(source.records.map((r) => r.package.id)).toEqual(['team/nginx']);
    expect(source.status()).toMatchObject({ loaded: true, failing: true, lastError: expect.stringMatching(/429/) });
  });
});

describe('paged lists', () => {
  it('follows the Link header through every page of the catalog and of a tag list, without an ETag for a paged list', async () => {
    const registry = new FakeRegistry();
    for (const v of ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4']) registry.push('charts/nginx', v);
    for (const name of ['a', 'b', 'c']) registry.push(`charts/${name}`, '1.0.0');
    const c = client(registry, undefined, 2);
    expect(await c.catalogCharts()).toEqual(['a', 'b', 'c', 'nginx']);
    expect(await c.tags('nginx', '"an-old-etag"')).toEqual({ tags: ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4'], etag: undefined });
    const pages = registry.requests.filter((r) => r.url.includes('/tags/list'));
    expect(pages.map((r) => new URL(r.url).searchParams.get('last'))).toEqual([null, '1.0.1', '1.0.3']);
    expect(pages.slice(1).map((r) => r.ifNoneMatch)).toEqual([undefined, undefined]);
  });
});

describe('refreshing an OCI repository', () => {
  it('reads the chart names from the catalog under its path, keeps SemVer tags, and builds packages', async () => {
    const registry = new FakeRegistry();
    registry.push('charts/nginx', '1.0.0');
    registry.push('charts/nginx', '1.1.0-rc.1');
    registry.push('charts/nginx', '1.0.1+build.2');
    registry.push('charts/nested/deeper', '1.0.0');
    registry.push('other/redis', '1.0.0');
    registry.tags.get('charts/nginx')?.set('latest', registry.tags.get('charts/nginx')?.get('1.0.0') ?? '');
    const { source } = sync(registry);
    await source.refresh(new AbortController().signal);
    expect(source.records.map((r) => [r.package.id, r.package.versions.map((v) => v.version)])).toEqual([
      ['team/nginx', ['1.1.0-rc.1', '1.0.1+build.2', '1.0.0']],
    ]);
    expect(source.records[0]?.package.chart).toMatchObject({ version: '1.0.1+build.2', description: 'nginx chart' });
  });

  it('asks only for the configured charts, and skips one the registry does not have', async () => {
    const registry = new FakeRegistry();
    registry.push('charts/nginx', '1.0.0');
    const { source } = sync(registry, repo({ oci: { origin: REGISTRY, path: 'charts', charts: ['nginx', 'absent'] } }));
    expect(await source.refresh(new AbortController().signal)).toBe('updated');
    expect(source.records.map((r) => r.package.id)).toEqual(['team/nginx']);
    expect(registry.requests.some((r) => r.url.includes('_catalog'))).toBe(false);
  });

  it('polls the tag lists with their ETag, and fetches each manifest once', async () => {
    const registry = new FakeRegistry();
    registry.push('charts/nginx', '1.0.0');
    const { source, counters } = sync(registry);
    await source.refresh(new AbortController().signal);
    const first = registry.requests.length;
    expect(await source.refresh(new AbortController().signal)).toBe('unchanged');
    const second = registry.requests.slice(first);
    expect(second.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(['GET /v2/_catalog', 'GET /v2/charts/nginx/tags/list']);
    expect(second[1]?.ifNoneMatch).toMatch(/^"/);
    registry.push('charts/nginx', '1.1.0');
    expect(await source.refresh(new AbortController().signal)).toBe('updated');
    expect(counters).toMatchObject({ manifestsFetched: 2, manifestCacheHits: 1 });
  });

  it('keeps the registry requests of a refresh within its concurrency', async () => {
    const registry = new FakeRegistry({ headDelayMs: 15 });
    for (let i = 0; i < 12; i++) registry.push('charts/nginx', `1.0.${i}`);
    const { source } = sync(registry, repo(), 3);
    await source.refresh(new AbortController().signal);
    expect(source.records[0]?.package.versions).toHaveLength(12);
    expect(registry.maxInFlight).toBe(3);
  });

  it('skips a version whose config does not match its digest, and tries it again next time', async () => {
    const registry = new FakeRegistry();
    registry.push('charts/nginx', '1.0.0');
    registry.push('charts/nginx', '1.1.0');
    const configDigest = [...registry.blobs.entries()].find(([, b]) => b.toString().includes('"version":"1.1.0"'))?.[0] ?? '';
    const original = registry.blobs.get(configDigest)!;
    registry.blobs.set(configDigest, Buffer.from(original.toString().replace('nginx chart', 'evil chart')));
    const { source } = sync(registry);
    await source.refresh(new AbortController().signal);
    expect(source.records[0]?.package.versions.map((v) => v.version)).toEqual(['1.0.0']);
    expect(source.status().skippedEntries).toBe(1);
    registry.blobs.set(configDigest, original);
    registry.push('charts/nginx', '1.2.0'); // a change to the tag list
    await source.refresh(new AbortController().signal);
    expect(source.records[0]?.package.versions.map((v) => v.version)).toEqual(['1.2.0', '1.1.0', '1.0.0']);
  });
});

describe('archives of OCI versions', () => {
  it('are the chart layers, fetched by digest through the catalog and verified', async () => {
    const registry = new FakeRegistry({ auth: 'token', realm: 'https://reg.example.org/token' });
    const { layerDigest } = registry.push('charts/nginx', '1.0.0', Buffer.from('the chart archive'));
    const catalog = createCatalog({ repos: [repo({ auth: ROBOT })] }, log, { fetch: registry.fetch });
    await catalog.start();
    try {
      expect((await catalog.fetchArchive('team/nginx', '1.0.0')).toString()).toBe('the chart archive');
      registry.blobs.set(layerDigest, Buffer.from('the chart archivf'));
      const other = createCatalog({ repos: [repo({ auth: ROBOT })] }, log, { fetch: registry.fetch });
      await other.start();
      const err = await rejection(other.fetchArchive('team/nginx', '1.0.0'));
      await other.stop();
      expect(err.code).toBe('Unavailable');
      expect(err.message).toContain(layerDigest);
      expect(err.details).toMatchObject({ reason: 'digest-mismatch', expected: layerDigest });
    } finally {
      await catalog.stop();
    }
  });
});
