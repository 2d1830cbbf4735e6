/**
 * Tenant isolation on the real Tiller and API server: alice may deploy into
 * tenancy-home only. Charts whose values (namespaceOverride, extraDeploy,
 * cluster-wide RBAC, hooks) or templates aim objects elsewhere are refused
 * with a 422 naming each object, before anything is applied: nothing appears
 * in any namespace, Tiller has no release, no record is kept, and the audit
 * log has the refusal. A repository the operator trusts with
 * `allowClusterScoped` installs its ClusterRole; a namespace enforcing the
 * baseline Pod Security Standard refuses a privileged pod at once.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import pino from 'pino';
import { loadChartArchive } from '../../src/charts/index.js';
import { ALL_STATUS_CODES } from '../../src/tiller/index.js';
import { buildChartRepo } from '../harness/chart-repo.js';
import { repoRoot } from '../harness/paths.js';
import { serveChartRepo, type ServedChartRepo } from '../harness/serve-chart-repo.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, kubeClients, statusOf } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const home = 'tenancy-home';
const other = 'tenancy-other';
const psa = 'tenancy-psa';
const logs: Array<Record<string, unknown>> = [];
let repo: ServedChartRepo;
let repoDir: string;
let running: RunningStore;
let call: ReturnType<typeof api>;
let rbac: RbacAuthorizationV1Api;

beforeAll(async () => {
  await Promise.all([home, other].map((ns) => ensureNamespace(kube, ns)));
  await kube.core.createNamespace({
    body: { metadata: { name: psa, labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } },
  }).catch((err: unknown) => {
    if (statusOf(err) !== 409) throw err;
  });
  const dir = mkdtempSync(join(tmpdir(), 'appstore-tenancy-'));
  repoDir = join(dir, 'repo');
  await buildChartRepo(join(repoRoot, 'test', 'fixtures', 'tenancy-charts'), repoDir);
  repo = await serveChartRepo(repoDir);
  const reposFile = join(dir, 'repos.yaml');
  writeFileSync(reposFile, `repositories:\n  - name: trusted\n    url: ${repo.url}\n    allowClusterScoped: [cluster-reader]\n`);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  running = await startStore(env, {
    namespace: 'appstore-tenancy',
    deployNamespaces: [home, psa],
    extraEnv: { APPSTORE_REPOS: `sample=${env.repoUrl},probe=${repo.url}`, APPSTORE_REPOS_FILE: reposFile },
    log: pino({ level: 'info' }, sink),
  });
  call = api(running.url);
  const kc = new KubeConfig();
  kc.loadFromFile(env.cluster.kubeconfig);
  rbac = kc.makeApiClient(RbacAuthorizationV1Api);
});

afterAll(async () => {
  await running?.stop();
  await repo?.close();
});

const install = (values: Record<string, unknown>, application = 'probe/tenant-probe', namespace = home, query = '') =>
  call('POST', `/releases${query}`, { user: 'alice', body: { application, namespace, values } });

async function tillerReleases(): Promise<string[]> {
  return (await running.store.tiller.list({ statusCodes: ALL_STATUS_CODES })).map((r) => r.name).sort();
}

async function configMapsIn(namespace: string): Promise<string[]> {
  return (await kube.core.listNamespacedConfigMap({ namespace })).items.map((c) => c.metadata?.name ?? '').filter((n) => n !== 'kube-root-ca.crt');
}

/** A refused install: 422 naming every expected object, and nothing left behind anywhere. */
async function expectRefused(res: Awaited<ReturnType<typeof install>>, objects: RegExp[], before: { releases: string[]; records: number }) {
  expect(res.status).toBe(422);
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  const paths = (res.json.errors as Array<{ path: string; message: string }>).map((e) => `${e.path}: ${e.message}`);
  const kinds = objects.map((o) => /(\w+)/.exec(o.source)?.[1] ?? '');
  for (const object of objects) expect(paths).toEqual(expect.arrayContaining([expect.stringMatching(object)]));
  for (const kind of kinds) expect(res.json.detail).toContain(`${kind} "`);
  expect(await tillerReleases()).toEqual(before.releases);
  expect((await call('GET', '/releases', { user: 'alice' })).json).toHaveLength(before.records);
  expect(logs).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ audit: true, action: 'install', outcome: 'denied', reason: expect.stringContaining(`${kinds[0]} "`) }),
    ]),
  );
}

const snapshot = async () => ({ releases: await tillerReleases(), records: ((await call('GET', '/releases', { user: 'alice' })).json as unknown[]).length });

describe('values and templates cannot leave the release namespace', () => {
  test('namespaceOverride aiming the chart at another tenant namespace is refused, nothing created there', async () => {
    const before = await snapshot();
    const res = await install({ namespaceOverride: other });
    await expectRefused(res, [/^ConfigMap\/tenancy-other\/.+-settings: in namespace tenancy-other/, /^Deployment\/tenancy-other\//], before);
    expect(await configMapsIn(other)).toEqual([]);
    expect((await kube.apps.listNamespacedDeployment({ namespace: other })).items).toEqual([]);
  });

  test('a ClusterRoleBinding switched on by values is refused and not created', async () => {
    const before = await snapshot();
    const res = await install({ rbac: { clusterWide: true, clusterRole: 'cluster-admin', user: 'mallory' } });
    await expectRefused(res, [/^ClusterRoleBinding\/.+-cluster-admin: cluster-scoped/], before);
    const bindings = (await rbac.listClusterRoleBinding()).items.map((b) => b.metadata?.name ?? '');
    expect(bindings.filter((n) => n.endsWith('-cluster-admin'))).toEqual([]);
  });

  test('a hook Job in another namespace is refused, named with its hook', async () => {
    const before = await snapshot();
    const res = await install({ hook: { enabled: true, namespace: other } });
    await expectRefused(res, [/^Job\/tenancy-other\/.+-prepare: .*\(hook /], before);
    expect(((await kube.batch.listNamespacedJob({ namespace: other })).items)).toEqual([]);
  });

  test('an extraDeploy value carrying a whole object into kube-system is refused', async () => {
    const before = await snapshot();
    const res = await install({
      extraDeploy: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'planted', namespace: 'kube-system' }, stringData: { a: 'b' } }],
    });
    await expectRefused(res, [/^Secret\/kube-system\/planted: in namespace kube-system/], before);
    await expect(kube.core.readNamespacedSecret({ name: 'planted', namespace: 'kube-system' })).rejects.toMatchObject({ code: 404 });
  });

  test('a List object cannot smuggle items past the check', async () => {
    const before = await snapshot();
    const res = await install({
      extraDeploy: [{ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'smuggled', namespace: other } }] }],
    });
    await expectRefused(res, [/^ConfigMap\/tenancy-other\/smuggled/], before);
    expect(await configMapsIn(other)).toEqual([]);
  });

  test('a chart whose template hard-codes another namespace is refused', async () => {
    const before = await snapshot();
    const res = await install({}, 'probe/pinned-namespace');
    await expectRefused(res, [/^ConfigMap\/kube-public\/.+-pinned: in namespace kube-public/], before);
    expect(await configMapsIn('kube-public')).toEqual([]);
  });

  test('a dry run that would leave the namespace is refused and audited', async () => {
    const res = await install({ namespaceOverride: other }, 'probe/tenant-probe', home, '?dryRun=true');
    expect(res.status).toBe(422);
    expect(res.json.detail).toMatch(/ConfigMap ".+-settings": in namespace tenancy-other, outside the release's namespace tenancy-home/);
    expect(logs).toEqual(expect.arrayContaining([expect.objectContaining({ audit: true, outcome: 'denied', reason: expect.stringMatching(/^dry run: /) })]));
  });

  test('an upgrade that turns an escape on later is refused and the release stays as it was', async () => {
    const installed = await install({});
    expect(installed.status).toBe(200);
    const id = installed.json.id as string;
    const res = await call('PATCH', `/releases/${id}`, { user: 'alice', body: { values: { namespaceOverride: other } } });
    expect(res.status).toBe(422);
    expect(res.json.detail).toMatch(/ConfigMap ".+-settings": in namespace tenancy-other, outside the release's namespace tenancy-home/);
    expect(await configMapsIn(other)).toEqual([]);
    const history = await call('GET', `/releases/${id}/history`, { user: 'alice' });
    expect((history.json as Array<{ revision: number }>).map((r) => r.revision)).toEqual([1]);
    expect((await call('GET', `/releases/${id}`, { user: 'alice' })).json.values).toEqual({});
    expect(logs).toEqual(expect.arrayContaining([expect.objectContaining({ audit: true, action: 'upgrade', release: id, outcome: 'denied' })]));
    expect((await call('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
  });
});

// A Helm engine checks inside itself: no revision can be made past its check, so this is Tiller's case only.
const onTiller = env.cluster.engine === 'tiller' ? test : test.skip;

describe('delete hooks', () => {
  onTiller('a revision made past the check (here: by Tiller directly) is deleted without its escaping delete hook', async () => {
    const installed = await install({});
    expect(installed.status).toBe(200);
    const id = installed.json.id as string;
    const chart = await loadChartArchive(await readFile(join(repoDir, 'tenant-probe-0.1.0.tgz')));
    await running.store.tiller.upgrade({ chart, name: id, valuesYaml: `hook: {enabled: true, namespace: ${other}, events: pre-delete}\n` });
    expect((await call('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
    expect((await kube.batch.listNamespacedJob({ namespace: other })).items).toEqual([]);
    expect(await tillerReleases()).not.toContain(id);
  });
});

describe('cluster-scoped objects', () => {
  test('a chart of a repository that allows them installs its ClusterRole; the same chart elsewhere is refused', async () => {
    const before = await snapshot();
    const refused = await install({}, 'probe/cluster-reader');
    await expectRefused(refused, [/^ClusterRole\/.+-node-reader: cluster-scoped/], before);

    const res = await install({}, 'trusted/cluster-reader');
    expect(res.status).toBe(200);
    const id = res.json.id as string;
    const role = await rbac.readClusterRole({ name: `${id}-node-reader` });
    expect(role.rules?.[0]?.resources).toEqual(['nodes']);
    expect((await call('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
  });
});

describe('Pod Security admission', () => {
  test('a privileged pod in a namespace enforcing baseline is a 422 with the admission\'s reason, not a hung install', async () => {
    const before = await snapshot();
    const res = await install({ securityContext: { privileged: true } }, 'probe/tenant-probe', psa);
    expect(res.status).toBe(422);
    expect(res.json.detail).toMatch(/Deployment ".+": its pods would be refused: violates PodSecurity "baseline:latest": privileged \(container "web" must not set securityContext.privileged=true\)/);
    expect(await tillerReleases()).toEqual(before.releases);
    expect((await kube.apps.listNamespacedDeployment({ namespace: psa })).items).toEqual([]);

    const hostNetwork = await install({ hostNetwork: true }, 'probe/tenant-probe', psa);
    expect(hostNetwork.status).toBe(422);
    expect(hostNetwork.json.detail).toMatch(/host namespaces/);
  });

  test('the same chart with its defaults installs there', async () => {
    const res = await install({}, 'probe/tenant-probe', psa);
    expect(res.status).toBe(200);
    expect((await call('DELETE', `/releases/${res.json.id as string}`, { user: 'alice' })).status).toBe(204);
  });
});

describe('the catalog tells what a version creates outside namespaces', () => {
  test('per version, rendered with its defaults, and whether the operator allows it', async () => {
    const trusted = await call('GET', '/packages/trusted/cluster-reader/versions/0.1.0');
    expect(trusted.status).toBe(200);
    expect(trusted.json.clusterScope).toEqual({
      rendered: true,
      detail: '',
      objects: [{ kind: 'ClusterRole', name: expect.stringMatching(/-node-reader$/), served: true }],
      allowed: true,
    });
    expect((await call('GET', '/packages/probe/cluster-reader/versions/0.1.0')).json.clusterScope).toMatchObject({ rendered: true, allowed: false });
    expect((await call('GET', '/packages/probe/tenant-probe/versions/0.1.0')).json.clusterScope).toEqual({ rendered: true, detail: '', objects: [], allowed: false });
  });
});
