/**
 * Development gating: a prerelease version, or any version from a repository
 * marked as development, may be installed only by a release with
 * "development": true; anyone else gets 422 with the reason.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChartRepo, SAMPLE_CHARTS_DIR } from '../harness/chart-repo.js';
import { serveChartRepo } from '../harness/serve-chart-repo.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, kubeClients } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-gating';
let running: RunningStore;
let repo: Awaited<ReturnType<typeof serveChartRepo>>;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  // A "beta" repository: hello 1.1.0 and a prerelease, 1.2.0-rc.1.
  const src = mkdtempSync(join(tmpdir(), 'gating-src-'));
  cpSync(join(SAMPLE_CHARTS_DIR, 'hello-1.1.0'), join(src, 'hello-1.1.0'), { recursive: true });
  cpSync(join(SAMPLE_CHARTS_DIR, 'hello-1.1.0'), join(src, 'hello'), { recursive: true });
  const chartYaml = join(src, 'hello', 'Chart.yaml');
  writeFileSync(chartYaml, readFileSync(chartYaml, 'utf8').replace(/^version: .*$/m, 'version: 1.2.0-rc.1'));
  const out = mkdtempSync(join(tmpdir(), 'gating-repo-'));
  await buildChartRepo(src, out);
  repo = await serveChartRepo(out);
  running = await startStore(env, {
    namespace: 'appstore-gating',
    deployNamespaces: [namespace],
    extraEnv: { APPSTORE_REPOS: `sample=${env.repoUrl},beta=${repo.url},labs=${env.repoUrl}`, APPSTORE_DEV_REPOS: 'labs' },
  });
  call = api(running.url);
});

afterAll(async () => {
  await running?.stop();
  await repo?.close();
});

const install = (body: Record<string, unknown>) => call('POST', '/releases', { user: 'alice', body: { namespace, ...body } });

test('the catalog marks prereleases and development versions', async () => {
  const beta = await call('GET', '/packages/beta/hello');
  expect(beta.json.versions).toEqual([
    expect.objectContaining({ version: '1.2.0-rc.1', prerelease: true, development: false }),
    expect.objectContaining({ version: '1.1.0', prerelease: false, development: false }),
  ]);
  expect(beta.json.chart).toMatchObject({ version: '1.1.0' });
  const labs = await call('GET', '/packages/labs/hello');
  expect((labs.json.versions as Array<{ development: boolean }>).every((v) => v.development)).toBe(true);
});

test('a prerelease is refused to a non-development release, with the reason', async () => {
  const res = await install({ application: 'beta/hello', version: '1.2.0-rc.1' });
  expect(res.status).toBe(422);
  expect(res.json.detail).toBe('beta/hello 1.2.0-rc.1 is a prerelease: only a release with "development": true may install it');
});

test('a version from a development repository is refused to a non-development release', async () => {
  const res = await install({ application: 'labs/hello', version: '1.0.0' });
  expect(res.status).toBe(422);
  expect(res.json.detail).toMatch(/comes from the development repository labs/);
});

test('without a version, a non-development release gets the newest stable one', async () => {
  const res = await install({ application: 'beta/hello' });
  expect(res.status).toBe(200);
  expect(res.json.version).toBe('1.1.0');
  expect((await call('DELETE', `/releases/${String(res.json.id)}`, { user: 'alice' })).status).toBe(204);
});

test('a development release may install both, and upgrades within its gate', async () => {
  const pre = await install({ application: 'beta/hello', version: '1.2.0-rc.1', development: true });
  expect(pre.status).toBe(200);
  expect(pre.json).toMatchObject({ version: '1.2.0-rc.1', development: true });
  const labs = await install({ application: 'labs/hello', version: '1.0.0', development: true });
  expect(labs.status).toBe(200);
  const upgraded = await call('PATCH', `/releases/${String(labs.json.id)}`, { user: 'alice', body: { version: '1.1.0' } });
  expect(upgraded.json).toMatchObject({ version: '1.1.0', development: true });
  for (const id of [pre.json.id, labs.json.id]) expect((await call('DELETE', `/releases/${String(id)}`, { user: 'alice' })).status).toBe(204);
});

test('a non-development release cannot be upgraded into a prerelease either', async () => {
  const stable = await install({ application: 'beta/hello', version: '1.1.0' });
  expect(stable.status).toBe(200);
  const id = String(stable.json.id);
  const res = await call('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '1.2.0-rc.1' } });
  expect(res.status).toBe(422);
  expect(res.json.detail).toMatch(/is a prerelease/);
  expect((await call('GET', `/releases/${id}`, { user: 'alice' })).json.version).toBe('1.1.0');
  expect((await call('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
});
