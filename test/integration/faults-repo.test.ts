/**
 * Fault injection: the chart repository goes down under a running store. The
 * catalog keeps serving its last good copy, marked stale, and installs of a
 * chart version whose archive was already fetched still work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChartRepo, SAMPLE_CHARTS_DIR } from '../harness/chart-repo.js';
import { serveChartRepo, type ServedChartRepo } from '../harness/serve-chart-repo.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, kubeClients } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-faults-repo';
const storeNamespace = 'appstore-faults-repo';
const dir = mkdtempSync(join(tmpdir(), 'appstore-faults-repo-'));
let repo: ServedChartRepo;
let running: RunningStore;
let call: ReturnType<typeof api>;
const installed: string[] = [];

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  await buildChartRepo(SAMPLE_CHARTS_DIR, dir);
  repo = await serveChartRepo(dir);
  running = await startStore(env, {
    namespace: storeNamespace,
    deployNamespaces: [namespace],
    extraEnv: { APPSTORE_REPOS: `faulty=${repo.url}` },
  });
  call = api(running.url);
});

afterAll(async () => {
  for (const id of installed) await call('DELETE', `/releases/${id}`, { user: 'alice' }).catch(() => undefined);
  await running?.stop();
  await repo?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const install = (version: string) =>
  call('POST', '/releases', { user: 'alice', body: { application: 'faulty/hello', version, namespace } });

test('with the repository down, the catalog is served stale and a cached chart still installs', async () => {
  // While the repository is up: fresh, and hello 1.0.0's archive is fetched (and cached) by an install.
  const fresh = await call('GET', '/packages', { user: 'alice' });
  expect(fresh.status).toBe(200);
  expect(fresh.headers.get('x-catalog-stale-seconds')).toBe('0');
  const first = await install('1.0.0');
  expect(first.status).toBe(200);
  installed.push(String(first.json.id));
  expect(repo.requests.some((r) => r.url === '/hello-1.0.0.tgz' && r.status === 200)).toBe(true);

  await repo.close();
  // Staleness is counted in whole seconds since the last good load.
  await new Promise((r) => setTimeout(r, 1_500));
  await running.store.catalog.refresh().catch(() => undefined);

  const stale = await call('GET', '/packages', { user: 'alice' });
  expect(stale.status).toBe(200);
  expect(Number(stale.headers.get('x-catalog-stale-seconds'))).toBeGreaterThan(0);
  expect(stale.text).toBe(fresh.text);
  const pkg = await call('GET', '/packages/faulty/hello', { user: 'alice' });
  expect(pkg.status).toBe(200);
  expect(pkg.json.id).toBe('faulty/hello');

  const cached = await install('1.0.0');
  expect(cached.status).toBe(200);
  installed.push(String(cached.json.id));
  expect(cached.json).toMatchObject({ application: 'faulty/hello', version: '1.0.0', namespace });

  // A version never fetched cannot be installed while the repository is down: a clear 5xx, not a hang.
  const started = Date.now();
  const uncached = await install('1.1.0');
  console.log(
    `faults-repo: stale ${stale.headers.get('x-catalog-stale-seconds') ?? ''} s; cached install ${cached.status}; ` +
      `uncached install ${uncached.status} in ${Date.now() - started} ms: ${uncached.text.slice(0, 200)}`,
  );
  expect(uncached.status).toBe(503);
  expect(uncached.headers.get('content-type')).toContain('application/problem+json');
  expect(uncached.json.detail).toContain('hello-1.1.0.tgz');
  if (uncached.status === 200) installed.push(String(uncached.json.id));
}, 180_000);
