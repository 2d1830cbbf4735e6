/**
 * OCI repositories end to end: CNCF distribution's registry (built from Go
 * modules) with token authentication (the harness's token issuer) for one
 * repository, and open to anonymous pulls for another; charts pushed by the
 * real Helm 4 CLI (`helm push`) and by the harness speaking the distribution
 * API; the store composed as in production listing, searching, showing,
 * installing and upgrading them through REST, beside the HTTP repository.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import type { RepoIndex } from '../harness/chart-repo.js';
import { startOciRegistry, type OciRegistry } from '../harness/oci-registry.js';
import { pushChartRepo, type PushedChart } from '../harness/oci-push.js';
import { startTokenIssuer, type TokenIssuer } from '../harness/oci-token-issuer.js';
import { ensureLazyPeer } from '../harness/peers.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, kubeClients } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const run = promisify(execFile);
const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-oci';
const SERVICE = 'appstore-test-registry';
const ISSUER = 'appstore-test-issuer';
const PASSWORD = 'robot-s3cret-pass';
const WRONG_PASSWORD = 'not-the-password-9f3a';

let dir: string;
let issuer: TokenIssuer;
let secured: OciRegistry;
let open: OciRegistry;
let proxy: Server;
let running: RunningStore;
let call: ReturnType<typeof api>;
let publicCharts: PushedChart[];
/** The proxy in front of the open registry: answers 429 to the next `throttle` tag-list requests. */
const throttling = { next: 1, retryAfter: '1', seen: [] as Array<{ at: number; status: number }> };

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'appstore-oci-'));
  issuer = await startTokenIssuer({ users: { robot: PASSWORD }, service: SERVICE, issuer: ISSUER });
  issuer.writeJwks(join(dir, 'jwks.json'));
  const auth = { realm: issuer.realm, service: SERVICE, issuer: ISSUER, jwks: join(dir, 'jwks.json') };
  [secured, open] = await Promise.all([
    startOciRegistry(join(dir, 'secured'), { auth }),
    startOciRegistry(join(dir, 'open')),
  ]);

  // The real Helm 4 CLI pushes hello 1.0.0 and 1.1.0 to the secured registry, through its token flow.
  const helm = await ensureLazyPeer('helm4');
  const index = yaml.load(readFileSync(join(env.repoDir, 'index.yaml'), 'utf8')) as RepoIndex;
  for (const entry of index.entries.hello ?? []) {
    await run(helm, ['push', join(env.repoDir, `hello-${entry.version}.tgz`), `oci://${secured.host}/private`, '--plain-http', '--username', 'robot', '--password', PASSWORD], {
      env: { ...process.env, HELM_CONFIG_HOME: join(dir, 'helm-config'), HELM_CACHE_HOME: join(dir, 'helm-cache'), HELM_REGISTRY_CONFIG: join(dir, 'helm-registry.json') },
    });
  }
  // Every sample chart to the open registry, by the distribution API.
  publicCharts = await pushChartRepo(open.origin, env.repoDir, 'public');
  // wiki's chart layer is damaged in the registry's storage (same size, other bytes).
  const wiki = publicCharts.find((c) => c.repository === 'public/wiki')!;
  const hex = wiki.layerDigest.slice('sha256:'.length);
  const blob = join(open.rootDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  const bytes = readFileSync(blob);
  writeFileSync(blob, bytes.map((b) => b ^ 0xff));

  proxy = createServer((req, res) => {
    if (req.url?.includes('/tags/list') && throttling.next > 0) {
      throttling.next -= 1;
      throttling.seen.push({ at: Date.now(), status: 429 });
      res.writeHead(429, { 'retry-after': throttling.retryAfter, 'content-type': 'application/json' }).end('{"errors":[{"code":"TOOMANYREQUESTS"}]}');
      return;
    }
    if (req.url?.includes('/tags/list')) throttling.seen.push({ at: Date.now(), status: 200 });
    const upstream = request(`${open.origin}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyHost = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  writeFileSync(join(dir, 'robot.yaml'), `username: robot\npassword: ${PASSWORD}\n`);
  writeFileSync(join(dir, 'wrong.yaml'), `username: robot\npassword: ${WRONG_PASSWORD}\n`);
  writeFileSync(
    join(dir, 'repos.yaml'),
    yaml.dump({
      repositories: [
        { name: 'throttled', url: `oci://${proxyHost}/public`, plainHttp: true, charts: ['hello'] },
        { name: 'badcreds', url: `oci://${secured.host}/private`, plainHttp: true, charts: ['hello'], credentialsFile: join(dir, 'wrong.yaml') },
      ],
    }),
  );
  await ensureNamespace(kube, namespace);
  running = await startStore(env, {
    namespace: 'appstore-oci',
    deployNamespaces: [namespace],
    extraEnv: {
      // secure names its charts through the registry's catalog (which its token grants); public likewise, anonymously.
      APPSTORE_REPOS: `sample=${env.repoUrl},secure=oci+http://${secured.host}/private,public=oci+http://${open.host}/public`,
      APPSTORE_REPOS_FILE: join(dir, 'repos.yaml'),
      APPSTORE_REPO_SECURE_CREDENTIALS_FILE: join(dir, 'robot.yaml'),
    },
  });
  call = api(running.url);
}, 900_000);

afterAll(async () => {
  await running?.stop();
  await new Promise((resolve) => proxy?.close(resolve));
  await Promise.all([secured?.stop(), open?.stop()]);
  await issuer?.close();
});

describe('OCI packages in the catalog', () => {
  test('GET /packages lists the OCI charts beside the HTTP ones, with their SemVer tags as versions', async () => {
    const res = await call('GET', '/packages');
    expect(res.status).toBe(200);
    const byId = new Map((res.json as Array<{ id: string; versions: Array<{ version: string; digest: string }> }>).map((p) => [p.id, p]));
    expect([...byId.keys()]).toEqual(
      expect.arrayContaining(['sample/hello', 'secure/hello', 'public/hello', 'public/stack', 'public/wiki', 'throttled/hello']),
    );
    expect(byId.get('secure/hello')?.versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    // The digest is the chart layer's, which is the archive's sha256: the same bytes as the HTTP repository's.
    const archive = readFileSync(join(env.repoDir, 'hello-1.1.0.tgz'));
    expect(byId.get('secure/hello')?.versions[0]?.digest).toBe(sha256(archive));
    expect(byId.get('public/hello')?.versions[0]?.digest).toBe(sha256(archive));
  });

  test('search finds OCI packages by their Chart.yaml (the manifest config)', async () => {
    const res = await call('GET', '/packages?query=hello');
    const ids = (res.json as Array<{ id: string }>).map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['sample/hello', 'secure/hello', 'public/hello']));
    // The same charts match in the OCI repository as in the HTTP one, and no more: the same Chart.yaml is searched.
    const names = (repo: string) => ids.filter((id) => id.startsWith(`${repo}/`)).map((id) => id.slice(repo.length + 1)).sort();
    expect(names('public')).toEqual(names('sample'));
    expect(names('public')).not.toContain('notebook');
  });

  test('the version detail of an OCI package reads its chart layer as for an HTTP package', async () => {
    const oci = await call('GET', '/packages/secure/hello/versions/1.1.0');
    const http = await call('GET', '/packages/sample/hello/versions/1.1.0');
    expect(oci.status).toBe(200);
    expect(oci.json).toMatchObject({ id: 'secure/hello', readme: http.json.readme, valuesYaml: http.json.valuesYaml });
  });

  test('a token from the registry\'s token service is cached: a refresh asks for none', async () => {
    const before = issuer.requests.length;
    await running.store.catalog.refresh();
    expect(issuer.requests.slice(before).filter((r) => r.user === 'robot')).toEqual([]);
    // Manifests are immutable per digest: the refresh fetched none again.
    expect(running.store.catalog.status().counters.manifestCacheHits).toBeGreaterThan(0);
  });
});

describe('installing from an OCI repository', () => {
  let id = '';

  test('POST /releases installs secure/hello 1.0.0 from the registry behind token authentication', async () => {
    const res = await call('POST', '/releases', {
      user: 'alice',
      body: { namespace, application: 'secure/hello', version: '1.0.0', values: { replicaCount: 1 } },
    });
    expect(res.status).toBe(200);
    id = String(res.json.id);
    expect(res.json).toMatchObject({ application: 'secure/hello', version: '1.0.0' });
    const deployment = await kube.apps.readNamespacedDeployment({ name: `${id}-hello`, namespace });
    expect(deployment.spec?.replicas).toBe(1);
  });

  test('PATCH upgrades it to 1.1.0 from the registry', async () => {
    const res = await call('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '1.1.0' } });
    expect(res.status).toBe(200);
    expect((await call('GET', `/releases/${id}`, { user: 'alice' })).json).toMatchObject({ application: 'secure/hello', version: '1.1.0' });
    expect((await call('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBeLessThan(300);
  });

  test('a chart layer that does not match its digest is refused with a 503 naming the digest, and nothing is installed', async () => {
    const wiki = publicCharts.find((c) => c.repository === 'public/wiki')!;
    const before = ((await call('GET', '/releases', { user: 'alice' })).json as Array<{ id: string }>).length;
    const res = await call('POST', '/releases', { user: 'alice', body: { namespace, application: 'public/wiki', version: '0.3.0' } });
    expect(res.status).toBe(503);
    expect(String(res.json.detail)).toContain(wiki.layerDigest);
    expect(String(res.json.detail)).toMatch(/does not match/);
    const after = (await call('GET', '/releases', { user: 'alice' })).json as Array<{ application: string }>;
    expect(after).toHaveLength(before);
    expect(after.map((r) => r.application)).not.toContain('public/wiki');
    expect(running.store.catalog.status().counters.digestMismatches).toBeGreaterThan(0);
  });
});

describe('a failing OCI repository', () => {
  test('wrong credentials show as a clear error in GET /repositories, never the credentials', async () => {
    const res = await call('GET', '/repositories', { user: 'bob' });
    expect(res.status).toBe(200);
    const bad = (res.json as Array<Record<string, unknown>>).find((r) => r.name === 'badcreds');
    expect(bad).toMatchObject({ kind: 'oci', loaded: false, failing: true, packages: 0 });
    expect(bad?.lastError).toMatch(/repository badcreds: the registry's token service .* refused the configured credentials \(401\)/);
    const secure = (res.json as Array<Record<string, unknown>>).find((r) => r.name === 'secure');
    expect(secure).toMatchObject({ kind: 'oci', loaded: true, failing: false, packages: 1 });
    for (const secret of [PASSWORD, WRONG_PASSWORD, Buffer.from(`robot:${WRONG_PASSWORD}`).toString('base64')]) {
      expect(res.text).not.toContain(secret);
    }
    expect((await call('GET', '/repositories')).status).toBe(401);
  });

  test('a 429 from the registry is waited out as Retry-After asks, and the charts load', async () => {
    const [limited, retried] = throttling.seen;
    expect(limited?.status).toBe(429);
    expect(retried?.status).toBe(200);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(950);
    expect(running.store.catalog.status().counters.registryRateLimited).toBeGreaterThanOrEqual(1);
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toMatch(/^appstore_catalog_registry_rate_limited_total [1-9]/m);
    expect((await call('GET', '/packages/throttled/hello')).status).toBe(200);
  });

  test('a registry that keeps rate limiting is backed off, and its last good list is served, marked stale', async () => {
    Object.assign(throttling, { next: 100, retryAfter: '120' });
    const seen = throttling.seen.length;
    await running.store.catalog.refresh();
    expect(throttling.seen.slice(seen).map((s) => s.status)).toEqual([429]);
    const listed = await call('GET', '/packages/throttled/hello');
    expect(listed.status).toBe(200);
    const repos = (await call('GET', '/repositories', { user: 'alice' })).json as Array<Record<string, unknown>>;
    expect(repos.find((r) => r.name === 'throttled')).toMatchObject({ loaded: true, failing: true });
    expect(String(repos.find((r) => r.name === 'throttled')?.lastError)).toMatch(/429 Too Many Requests/);
    // Backed off: the next refresh within Retry-After does not ask the registry at all.
    await running.store.catalog.refresh();
    expect(throttling.seen.length).toBe(seen + 1);
    throttling.next = 0;
  });
});
