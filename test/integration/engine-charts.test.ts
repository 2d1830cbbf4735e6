/**
 * Today's charts through the store on the Helm 4 engine: the sample apiVersion v2 charts (dashboard: dependencies
 * with condition, alias, tags and import-values, a library chart, `lookup`, a subchart's values.schema.json, hooks;
 * widgets: crds/) install, upgrade, roll back and delete through REST, and what the store installs is an ordinary
 * Helm release that the real Helm 4 CLI lists, shows and operates, and whose CLI-made revisions the store sees.
 * The store here runs on an engine of its own, whatever engine the test cluster runs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { ApiextensionsV1Api, KubeConfig } from '@kubernetes/client-node';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTestEnv } from '../harness/test-env.js';
import { startEngine, type RunningEngine } from './engine-peer.js';
import { helm4Cli, type Helm4 } from './helm4-cli.js';
import { ensureNamespace, eventually, kubeClients } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const crds = (() => {
  const kc = new KubeConfig();
  kc.loadFromFile(env.cluster.kubeconfig);
  return kc.makeApiClient(ApiextensionsV1Api);
})();
const namespace = 'apps-engine-charts';
const dir = mkdtempSync(join(tmpdir(), 'appstore-engine-charts-'));
let engine: RunningEngine;
let running: RunningStore;
let call: ReturnType<typeof api>;
let helm4: Helm4;

interface Resource {
  kind: string;
  name: string;
  health: string;
  ready: string;
}

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  engine = await startEngine(env, 'engine-charts');
  helm4 = await helm4Cli(env, join(dir, 'helm4-home'));
  // The same repository twice: only `trusted` may install what widgets brings (a CustomResourceDefinition).
  const reposFile = join(dir, 'repos.yaml');
  writeFileSync(reposFile, `repositories:\n  - name: trusted\n    url: ${env.repoUrl}\n    allowClusterScoped: [widgets]\n`);
  running = await startStore(env, {
    namespace: 'appstore-engine-charts',
    deployNamespaces: [namespace],
    extraEnv: { HELM_HOST: engine.address, APPSTORE_REPOS_FILE: reposFile },
  });
  call = api(running.url);
  // What the dashboard's `lookup` finds in the namespace.
  await kube.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'dashboard-theme' }, data: { theme: 'dark' } } });
});

afterAll(async () => {
  await running?.stop();
  await engine?.stop();
});

const install = (body: Record<string, unknown>) => call('POST', '/releases', { user: 'alice', body: { namespace, ...body } });

/** Helm's release storage in the namespace, whatever the releases' states. */
async function helmSecrets(): Promise<string[]> {
  return (await kube.core.listNamespacedSecret({ namespace, labelSelector: 'owner=helm' })).items.map((s) => s.metadata?.name ?? '').sort();
}

async function board(id: string): Promise<Record<string, string>> {
  return (await kube.core.readNamespacedConfigMap({ namespace, name: `${id}-dashboard` })).data ?? {};
}

describe('the dashboard chart (apiVersion v2) on the engine', () => {
  let id = '';

  test('installs with its subcharts, the library chart\'s templates, lookup and imported values', async () => {
    const res = await install({ application: 'sample/dashboard', version: '2.0.0', values: { title: 'Ops board', sessions: { enabled: true } }, adminGroups: ['fc:org:example.org'] });
    expect([res.status, res.json.detail]).toEqual([200, undefined]);
    id = res.json.id as string;
    const data = await board(id);
    // import-values from the exporter, the ConfigMap found by lookup, the cluster's version from Capabilities.
    expect(data).toMatchObject({ title: 'Ops board', theme: 'dark', exporterPort: '9102', sessions: 'true' });
    expect(data.kubeVersion).toMatch(/^v1\.\d+\.\d+/);
    const status = await eventually('the board and the session store Ready', async () => {
      const s = await call('GET', `/releases/${id}/status`, { user: 'bob' });
      const resources = s.json.resources as Resource[];
      const ready = (name: string) => resources.some((r) => r.kind === 'Deployment' && r.name === name && r.health === 'Ready');
      return ready(`${id}-dashboard`) && ready(`${id}-sessions`) ? s.json : undefined;
    });
    expect(status).toMatchObject({ status: 'DEPLOYED', namespace });
    expect(status.notes).toContain(`Sessions are kept by ${id}-sessions.`);
    expect((status.resources as Resource[]).map((r) => `${r.kind}/${r.name}`)).toEqual(
      expect.arrayContaining([`Service/${id}-exporter`, `Service/${id}-dashboard`, `ConfigMap/${id}-dashboard`]),
    );
  });

  test('is an ordinary Helm release: helm list, status and history show it', async () => {
    const listed = JSON.parse(await helm4('list', '-n', namespace, '-o', 'json')) as Array<Record<string, string>>;
    expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ name: id, chart: 'dashboard-2.0.0', status: 'deployed', app_version: '2.0.0' })]));
    expect(await helm4('status', id, '-n', namespace)).toMatch(/STATUS: deployed/);
    const history = JSON.parse(await helm4('history', id, '-n', namespace, '-o', 'json')) as Array<Record<string, unknown>>;
    expect(history.map((h) => [h.revision, h.status])).toEqual([[1, 'deployed']]);
    const values = JSON.parse(await helm4('get', 'values', id, '-n', namespace, '-o', 'json')) as Record<string, unknown>;
    expect(values).toMatchObject({ title: 'Ops board', sessions: { enabled: true } });
  });

  test('values the chart\'s or a subchart\'s schema refuses are a 422 naming the field, and nothing is installed', async () => {
    const before = await helmSecrets();
    const parent = await install({ application: 'sample/dashboard', version: '2.0.0', values: { title: 'x', replicaCount: 9 } });
    expect(parent.status).toBe(422);
    expect(parent.json.errors).toEqual([{ path: 'replicaCount', message: 'maximum: got 9, want 5' }]);
    // The keystore subchart is installed under its alias: its values, and its schema's paths, are under sessions.
    const sub = await install({ application: 'sample/dashboard', version: '2.0.0', values: { title: 'x', sessions: { enabled: true, replicas: 7 } } });
    expect(sub.status).toBe(422);
    expect(sub.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'sessions.replicas' })]));
    expect(await helmSecrets()).toEqual(before);
  });

  test('PATCH switches a tagged subchart off; the store\'s history is Helm\'s', async () => {
    const res = await call('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '', values: { tags: { monitoring: false } } } });
    expect(res.status).toBe(200);
    expect((await board(id)).exporterPort).toBe('none');
    await expect(kube.core.readNamespacedService({ namespace, name: `${id}-exporter` })).rejects.toMatchObject({ code: 404 });
    const history = await call('GET', `/releases/${id}/history`, { user: 'alice' });
    expect((history.json as Array<{ revision: number; status: string }>).map((r) => [r.revision, r.status])).toEqual([
      [2, 'DEPLOYED'],
      [1, 'SUPERSEDED'],
    ]);
  });

  test('a rollback made with the Helm CLI is what the store shows afterwards', async () => {
    await helm4('rollback', id, '1', '-n', namespace, '--wait=hookOnly');
    const history = await call('GET', `/releases/${id}/history`, { user: 'alice' });
    expect((history.json as Array<{ revision: number; status: string; description: string }>)[0]).toMatchObject({
      revision: 3,
      status: 'DEPLOYED',
      description: 'Rollback to 1',
    });
    const status = await call('GET', `/releases/${id}/status`, { user: 'alice' });
    expect((status.json.resources as Resource[]).map((r) => `${r.kind}/${r.name}`)).toContain(`Service/${id}-exporter`);
  });

  test('a rollback through the store, then an upgrade with the Helm CLI, then DELETE', async () => {
    const back = await call('POST', `/releases/${id}/rollback`, { user: 'alice', body: { revision: 2 } });
    expect(back.status).toBe(200);
    expect((await board(id)).exporterPort).toBe('none');
    await helm4('upgrade', id, join(env.repoDir, 'dashboard-2.0.0.tgz'), '-n', namespace, '--reuse-values', '--set', 'title=From the CLI');
    expect((await board(id)).title).toBe('From the CLI');
    const history = await call('GET', `/releases/${id}/history`, { user: 'alice' });
    expect((history.json as Array<{ revision: number }>)[0]?.revision).toBe(5);
    expect((await call('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
    expect(await helm4('list', '-n', namespace, '-q')).not.toContain(id);
    expect((await helmSecrets()).filter((name) => name.includes(`.${id}.`))).toEqual([]);
  });
});

describe('the widgets chart (crds/) on the engine', () => {
  test('from a repository without allowClusterScoped: a 422 naming the CustomResourceDefinition, nothing installed', async () => {
    const res = await install({ application: 'sample/widgets', version: '0.1.0' });
    expect(res.status).toBe(422);
    expect(res.json.detail).toMatch(/refused before anything was applied/);
    expect(res.json.errors).toEqual([
      expect.objectContaining({ path: 'CustomResourceDefinition/widgets.demo.appstore.example.org', message: expect.stringMatching(/cluster-scoped/) }),
    ]);
    await expect(crds.readCustomResourceDefinition({ name: 'widgets.demo.appstore.example.org' })).rejects.toMatchObject({ code: 404 });
  });

  test('from the repository whose operator allowed it: its CRD is installed first, then the release; a second one is a 409', async () => {
    const res = await install({ application: 'trusted/widgets', version: '0.1.0' });
    expect(res.status).toBe(200);
    const crd = await crds.readCustomResourceDefinition({ name: 'widgets.demo.appstore.example.org' });
    expect(crd.spec.names.kind).toBe('Widget');
    expect((await kube.core.readNamespacedConfigMap({ namespace, name: `${res.json.id as string}-widgets` })).data).toEqual({ greeting: 'widgets ready' });
    // A second release of it would take over the first one's ClusterRole (its name is fixed): Helm refuses, the store
    // answers 409 and keeps no record of it.
    const before = (await call('GET', '/releases', { user: 'alice' })).json.length;
    const second = await install({ application: 'trusted/widgets', version: '0.1.0' });
    expect(second.status).toBe(409);
    expect(second.json.detail).toMatch(/^Helm engine install: .*ClusterRole "widgets-viewer" .*exists and cannot be imported into the current release/);
    expect((await call('GET', '/releases', { user: 'alice' })).json).toHaveLength(before);
    expect((await call('DELETE', `/releases/${res.json.id as string}`, { user: 'alice' })).status).toBe(204);
  });
});
