/**
 * Defence in depth on the Helm 4 engine, against the real API server: with -impersonate-serviceaccount the engine
 * applies a release's objects as the ServiceAccount of that name in the release's namespace, so Kubernetes' RBAC
 * itself confines them there. The tenancy check is switched off here (-unsafe-skip-tenancy-check, for tests of this
 * layer only), so that nothing but RBAC stands between a release and another namespace: the ServiceAccount has what
 * a deployment would give it, a namespaced Role on everything in its namespace. A release aiming objects at another
 * namespace, or a ClusterRoleBinding, is refused by the API server (forbidden) and nothing is created there; an
 * install into a namespace without the ServiceAccount is forbidden outright; a normal install, upgrade and uninstall
 * work.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { loadChartArchive } from '../../src/charts/index.js';
import { AppStoreError } from '../../src/domain/errors.js';
import { ReleaseStatusCode } from '../../src/tiller/index.js';
import { buildChartRepo } from '../harness/chart-repo.js';
import { repoRoot } from '../harness/paths.js';
import { readTestEnv } from '../harness/test-env.js';
import { startEngine, type RunningEngine } from './engine-peer.js';
import { ensureNamespace, kubeClients, statusOf } from './kube.js';

const env = readTestEnv();
const kube = kubeClients(env);
const home = 'engine-rbac-home';
const other = 'engine-rbac-other';
const deployer = 'appstore-deployer';
let engine: RunningEngine;
let repoDir: string;
let rbac: RbacAuthorizationV1Api;

const uniqueName = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;
const probe = () => loadChartArchive(readFileSync(join(repoDir, 'tenant-probe-0.1.0.tgz')));
const ignoreConflict = (err: unknown) => {
  if (statusOf(err) !== 409) throw err;
};

beforeAll(async () => {
  await Promise.all([home, other].map((ns) => ensureNamespace(kube, ns)));
  const kc = new KubeConfig();
  kc.loadFromFile(env.cluster.kubeconfig);
  rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  // What a chart's deployment would create: the ServiceAccount with a namespaced Role on everything in its namespace.
  await kube.core.createNamespacedServiceAccount({ namespace: home, body: { metadata: { name: deployer } } }).catch(ignoreConflict);
  await rbac.createNamespacedRole({
    namespace: home,
    body: { metadata: { name: deployer }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
  }).catch(ignoreConflict);
  await rbac.createNamespacedRoleBinding({
    namespace: home,
    body: {
      metadata: { name: deployer },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: deployer },
      subjects: [{ kind: 'ServiceAccount', name: deployer, namespace: home }],
    },
  }).catch(ignoreConflict);
  repoDir = mkdtempSync(join(tmpdir(), 'appstore-engine-rbac-'));
  await buildChartRepo(join(repoRoot, 'test', 'fixtures', 'tenancy-charts'), repoDir);
  engine = await startEngine(env, 'engine-rbac', [`-impersonate-serviceaccount=${deployer}`, '-unsafe-skip-tenancy-check']);
}, 30 * 60_000);

afterAll(async () => {
  await engine?.stop();
});

async function forbidden(promise: Promise<unknown>, namespace: string): Promise<void> {
  const err: unknown = await promise.then(() => new Error('expected RBAC to refuse'), (e: unknown) => e);
  expect(err).toBeInstanceOf(AppStoreError);
  expect((err as AppStoreError).details?.grpcCode).toBe(GrpcStatus.PERMISSION_DENIED);
  expect((err as AppStoreError).message).toMatch(new RegExp(`is forbidden: User "system:serviceaccount:${namespace}:${deployer}"`));
}

async function configMaps(namespace: string, name: string): Promise<string[]> {
  const list = await kube.core.listNamespacedConfigMap({ namespace });
  return list.items.map((c) => c.metadata?.name ?? '').filter((n) => n.startsWith(name));
}

test('a release aiming its objects at another namespace is refused by RBAC, and nothing is created there', async () => {
  const name = uniqueName('escape');
  await forbidden(engine.client.install({ chart: await probe(), name, namespace: home, valuesYaml: yaml.dump({ namespaceOverride: other }) }), home);
  expect(await configMaps(other, name)).toEqual([]);
  const deployments = await kube.apps.listNamespacedDeployment({ namespace: other });
  expect(deployments.items.map((d) => d.metadata?.name)).not.toContain(name);
});

test('a ClusterRoleBinding granting cluster-admin is refused by RBAC and not created', async () => {
  const name = uniqueName('crb');
  const values = { rbac: { user: 'mallory', clusterWide: true, clusterRole: 'cluster-admin' } };
  await forbidden(engine.client.install({ chart: await probe(), name, namespace: home, valuesYaml: yaml.dump(values) }), home);
  const bindings = await rbac.listClusterRoleBinding();
  expect(bindings.items.map((b) => b.metadata?.name)).not.toContain(`${name}-cluster-admin`);
});

test('a namespace without the ServiceAccount gets nothing: objects are read and written as that namespace\'s ServiceAccount', async () => {
  const name = uniqueName('nosa');
  await forbidden(engine.client.install({ chart: await probe(), name, namespace: other }), other);
  expect(await configMaps(other, name)).toEqual([]);
  // Helm's ownership check reads each object first, as the ServiceAccount: refused before any record is stored.
  await expect(engine.client.status(name)).rejects.toMatchObject({ code: 'NotFound' });
});

test('a release staying in its namespace installs, upgrades and uninstalls as the ServiceAccount', async () => {
  const name = uniqueName('fine');
  const release = await engine.client.install({ chart: await probe(), name, namespace: home });
  expect(release.info?.status?.code).toBe(ReleaseStatusCode.DEPLOYED);
  expect(await configMaps(home, name)).toEqual([`${name}-settings`]);
  const upgraded = await engine.client.upgrade({ chart: await probe(), name, valuesYaml: yaml.dump({ extraDeploy: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-extra` } }] }) });
  expect(upgraded.version).toBe(2);
  expect((await configMaps(home, name)).sort()).toEqual([`${name}-extra`, `${name}-settings`]);
  await engine.client.uninstall(name, { purge: true });
  expect(await configMaps(home, name)).toEqual([]);
});
