/**
 * Tenant isolation on the Helm 4 engine, against the real API server: the engine checks a release's objects between
 * render and apply (a Helm 4 post-render step, so the check sees what is applied, hooks included; crds/ and a
 * rollback's target revision are checked before Helm applies them). Values aiming objects at another namespace, a
 * ClusterRoleBinding, a hook Job elsewhere, a List smuggling an item, a template pinning another namespace, a kind the
 * cluster does not serve, an upgrade turning an escape on later and a rollback to a revision that escaped: each refused
 * with InvalidArgument naming the object, nothing created anywhere, no release stored or changed. With the caller's
 * metadata x-appstore-allow-cluster-scoped: true, a ClusterRole installs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, RbacAuthorizationV1Api, ApiextensionsV1Api } from '@kubernetes/client-node';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import yaml from 'js-yaml';
import { Chart } from '../../gen/hapi/chart/chart.js';
import { loadChartArchive } from '../../src/charts/index.js';
import { AppStoreError } from '../../src/domain/errors.js';
import { ReleaseStatusCode } from '../../src/tiller/index.js';
import { buildChartRepo } from '../harness/chart-repo.js';
import { repoRoot } from '../harness/paths.js';
import { helm4Cli, type Helm4 } from './helm4-cli.js';
import { readTestEnv, testDir } from '../harness/test-env.js';
import { startEngine, type RunningEngine } from './engine-peer.js';
import { ensureNamespace, kubeClients } from './kube.js';

const env = readTestEnv();
const kube = kubeClients(env);
const home = 'engine-tenancy-home';
const other = 'engine-tenancy-other';
const fixtures = join(repoRoot, 'test', 'fixtures', 'tenancy-charts');
let engine: RunningEngine;
let repoDir: string;
let helm4: Helm4;
let rbac: RbacAuthorizationV1Api;
let crds: ApiextensionsV1Api;

const uniqueName = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;
const chart = (name: string) => loadChartArchive(readFileSync(join(repoDir, `${name}-0.1.0.tgz`)));

beforeAll(async () => {
  await Promise.all([home, other].map((ns) => ensureNamespace(kube, ns)));
  repoDir = mkdtempSync(join(tmpdir(), 'appstore-engine-tenancy-'));
  await buildChartRepo(fixtures, repoDir);
  helm4 = await helm4Cli(env, join(testDir(), 'engine-tenancy', 'helm4-home'));
  engine = await startEngine(env, 'engine-tenancy');
  const kc = new KubeConfig();
  kc.loadFromFile(env.cluster.kubeconfig);
  rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  crds = kc.makeApiClient(ApiextensionsV1Api);
}, 30 * 60_000);

afterAll(async () => {
  await engine?.stop();
});


async function refused(promise: Promise<unknown>, ...objects: RegExp[]): Promise<void> {
  const err: unknown = await promise.then(() => new Error('expected a refusal'), (e: unknown) => e);
  expect(err).toBeInstanceOf(AppStoreError);
  const e = err as AppStoreError;
  expect(e.details?.grpcCode).toBe(GrpcStatus.INVALID_ARGUMENT);
  expect(e.code).toBe('Unprocessable');
  // The engine's own words; the store answers in its own (src/domain/tenancy-refusal.ts), from the trailer.
  const upstream = String(e.details?.upstream ?? '');
  expect(upstream).toMatch(/tenancy check refused .* nothing was applied/);
  for (const o of objects) expect(upstream).toMatch(o);
}

/** Every object of the release anywhere, and its stored revisions: all must be absent after a refusal. */
async function traces(name: string): Promise<string[]> {
  const named = (items: Array<{ metadata?: { name?: string; namespace?: string } }>) =>
    items.filter((i) => i.metadata?.name?.startsWith(name)).map((i) => `${i.metadata?.namespace ?? ''}/${i.metadata?.name ?? ''}`);
  const found: string[] = [];
  for (const namespace of [home, other, 'kube-public']) {
    found.push(...named((await kube.core.listNamespacedConfigMap({ namespace })).items));
    found.push(...named((await kube.batch.listNamespacedJob({ namespace })).items));
    found.push(...named((await kube.apps.listNamespacedDeployment({ namespace })).items));
  }
  found.push(...named((await rbac.listClusterRoleBinding()).items), ...named((await rbac.listClusterRole()).items));
  found.push(...named((await kube.core.listSecretForAllNamespaces({ labelSelector: `owner=helm,name=${name}` })).items));
  return found;
}

const probe = async (name: string, values: Record<string, unknown>, dryRun = false) =>
  engine.client.install({ chart: await chart('tenant-probe'), name, namespace: home, valuesYaml: yaml.dump(values), dryRun });

describe('an install whose objects leave the release namespace is refused, and nothing is created', () => {
  test.each([
    ['values aiming the objects at another namespace', { namespaceOverride: other }, [/ConfigMap "N-settings" \(in namespace "engine-tenancy-other"\): in namespace engine-tenancy-other, outside the release's namespace engine-tenancy-home/, /Deployment "N"/]],
    ['a ClusterRoleBinding granting cluster-admin', { rbac: { user: 'mallory', clusterWide: true, clusterRole: 'cluster-admin' } }, [/ClusterRoleBinding "N-cluster-admin" \(cluster-scoped\): cluster-scoped, and the operator has not allowed/]],
    ['a hook Job in another namespace', { hook: { enabled: true, namespace: other } }, [/Job "N-prepare" \(in namespace "engine-tenancy-other"\)/]],
    ['an extraDeploy List smuggling an item elsewhere', { extraDeploy: [{ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'N-smuggled', namespace: other } }] }] }, [/ConfigMap "N-smuggled" \(in namespace "engine-tenancy-other"\)/]],
    ['an object of a kind the cluster does not serve', { extraDeploy: [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'N-widget' } }] }, [/Widget "N-widget" .*is not served by the cluster/]],
  ])('%s', async (_what, values, objects) => {
    const name = uniqueName('esc');
    const named = JSON.parse(JSON.stringify(values).replaceAll('N-', `${name}-`)) as Record<string, unknown>;
    const patterns = objects.map((o) => new RegExp(o.source.replaceAll('"N', `"${name}`)));
    await refused(probe(name, named, true), ...patterns);
    await refused(probe(name, named), ...patterns);
    expect(await traces(name)).toEqual([]);
  });

  test('a chart whose template hard-codes another namespace', async () => {
    const name = uniqueName('pinned');
    await refused(engine.client.install({ chart: await chart('pinned-namespace'), name, namespace: home }), new RegExp(`ConfigMap "${name}-pinned" \\(in namespace "kube-public"\\)`));
    expect(await traces(name)).toEqual([]);
  });

  test('a v2 chart with a CustomResourceDefinition in crds/, which Helm installs before rendering', async () => {
    const name = uniqueName('crds');
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.tenancy.example.com' },
      spec: { group: 'tenancy.example.com', scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] } };
    const withCrd = Chart.fromPartial({
      metadata: { name: 'with-crd', version: '0.1.0', apiVersion: 'v2' },
      templates: [{ name: 'templates/cm.yaml', data: Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\n') }],
      files: [{ typeUrl: 'Chart.yaml', value: Buffer.from('apiVersion: v2\nname: with-crd\nversion: 0.1.0\n') },
        { typeUrl: 'crds/gadgets.yaml', value: Buffer.from(yaml.dump(crd)) }],
    });
    await refused(engine.client.install({ chart: withCrd, name, namespace: home }), /CustomResourceDefinition "gadgets.tenancy.example.com" \(cluster-scoped\)/);
    expect((await crds.listCustomResourceDefinition()).items.map((c) => c.metadata?.name)).not.toContain('gadgets.tenancy.example.com');
    expect(await traces(name)).toEqual([]);
  });
});

describe('cluster-scoped objects, allowed per request by the caller', () => {
  test('without the metadata a ClusterRole is refused; with x-appstore-allow-cluster-scoped: true it installs', async () => {
    const name = uniqueName('reader');
    const ch = await chart('cluster-reader');
    await refused(engine.client.install({ chart: ch, name, namespace: home }), new RegExp(`ClusterRole "${name}-node-reader" \\(cluster-scoped\\)`));
    expect(await traces(name)).toEqual([]);
    const res = await engine.installWith({ 'x-appstore-allow-cluster-scoped': 'true' }, { chart: ch, name, namespace: home });
    expect(res.release?.info?.status?.code).toBe(ReleaseStatusCode.DEPLOYED);
    expect((await rbac.readClusterRole({ name: `${name}-node-reader` })).rules?.[0]?.resources).toEqual(['nodes']);
    await engine.client.uninstall(name, { purge: true });
    expect(await traces(name)).toEqual([]);
  });

  test('the permission is a yes or no: any other value is refused before anything is rendered', async () => {
    const err = (await engine.installWith({ 'x-appstore-allow-cluster-scoped': 'yes' }, { chart: await chart('cluster-reader'), name: uniqueName('reader'), namespace: home })
      .then(() => undefined, (e: unknown) => e)) as ServiceError | undefined;
    expect(err?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/x-appstore-allow-cluster-scoped must be true or false/);
  });
});

describe('upgrade and rollback are checked as install is', () => {
  test('an upgrade turning an escape on later is refused (dry run too) and the release is unchanged', async () => {
    const name = uniqueName('upg');
    await probe(name, {});
    try {
      for (const dryRun of [true, false]) {
        await refused(engine.client.upgrade({ chart: await chart('tenant-probe'), name, valuesYaml: yaml.dump({ namespaceOverride: other }), dryRun }),
          new RegExp(`ConfigMap "${name}-settings" \\(in namespace "${other}"\\)`));
      }
      const status = await engine.client.content(name);
      expect([status.version, status.info?.status?.code]).toEqual([1, ReleaseStatusCode.DEPLOYED]);
      expect((await traces(name)).filter((t) => !t.startsWith(`${home}/`))).toEqual([]);
    } finally {
      await engine.client.uninstall(name, { purge: true });
    }
  });

  test('a rollback to a revision that wrote elsewhere (made by the Helm CLI) is refused before anything is applied', async () => {
    const name = uniqueName('rb');
    await helm4('install', name, join(fixtures, 'tenant-probe'), '-n', home, '--set', `namespaceOverride=${other}`);
    await helm4('upgrade', name, join(fixtures, 'tenant-probe'), '-n', home);
    try {
      // The CLI's upgrade may leave revision 1's objects in the other namespace: cleared here, so that a rollback
      // that applied revision 1 would show.
      await Promise.all([
        kube.core.deleteNamespacedConfigMap({ name: `${name}-settings`, namespace: other }).catch(() => undefined),
        kube.apps.deleteNamespacedDeployment({ name, namespace: other }).catch(() => undefined),
      ]);
      for (const revision of [1, 0]) {
        await refused(engine.client.rollback({ name, revision }), new RegExp(`ConfigMap "${name}-settings" \\(in namespace "${other}"\\)`));
      }
      const status = await engine.client.content(name);
      expect([status.version, status.info?.status?.code]).toEqual([2, ReleaseStatusCode.DEPLOYED]);
      expect((await traces(name)).filter((t) => t.startsWith(`${other}/`))).toEqual([]);
    } finally {
      await engine.client.uninstall(name, { purge: true });
    }
  });
});
