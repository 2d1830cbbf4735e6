/**
 * The native Tiller client against a real Tiller v2.17 driving a real
 * kube-apiserver, with the sample charts fetched over HTTP from the sample
 * repository, and the Helm v2 CLI as an outside client of the same Tiller.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { loadChartArchive } from '../../src/charts/index.js';
import { AppStoreError } from '../../src/domain/errors.js';
import { ReleaseStatusCode, TillerClient } from '../../src/tiller/index.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, eventually, kubeClients, statusOf } from './kube.js';

const run = promisify(execFile);
const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'tiller-it';
const tiller = new TillerClient(env.cluster.helmHost);

async function fetchChart(name: string, version: string) {
  const res = await fetch(`${env.repoUrl}/${name}-${version}.tgz`);
  expect(res.status).toBe(200);
  return loadChartArchive(Buffer.from(await res.arrayBuffer()));
}

async function helm(...args: string[]): Promise<string> {
  const { stdout } = await run(env.cluster.peers.helm ?? 'helm', ['--host', env.cluster.helmHost, ...args], {
    env: { ...process.env, KUBECONFIG: env.cluster.kubeconfig, HELM_HOME: `${env.cluster.dir}/helm-home` },
  });
  return stdout;
}

async function expectAppStoreError(promise: Promise<unknown>, code: string, message: RegExp): Promise<AppStoreError> {
  const err: unknown = await promise.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppStoreError);
  expect((err as AppStoreError).code).toBe(code);
  expect((err as AppStoreError).message).toMatch(message);
  return err as AppStoreError;
}

const uniqueName = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
});

afterAll(() => tiller.close());

test('Tiller reports its stamped version v2.17.0', async () => {
  await expect(tiller.version()).resolves.toBe('v2.17.0');
});

// Tiller accepts a client whose ^major.minor covers its own version, so a
// newer minor (v2.18) is refused, on unary and streaming calls alike.
test('a client whose version does not cover Tiller is refused as incompatible', async () => {
  const newer = new TillerClient(env.cluster.helmHost, { clientVersion: 'v2.18.0' });
  try {
    for (const call of [() => newer.list(), () => newer.status('anything')]) {
      const err = await expectAppStoreError(call(), 'FailedPrecondition', /incompatible versions client\[v2\.18\.0\] server\[v2\.17\.0\]/);
      expect(err.details.tiller).toBe('IncompatibleVersion');
    }
    // GetVersion is exempt from the check, as in Tiller.
    await expect(newer.version()).resolves.toBe('v2.17.0');
  } finally {
    newer.close();
  }
});

test('an unreachable Tiller is reported as unavailable', async () => {
  const nowhere = new TillerClient('127.0.0.1:1', { readTimeoutMs: 3000 });
  try {
    await expectAppStoreError(nowhere.version(), 'Unavailable', /Tiller is unavailable/);
  } finally {
    nowhere.close();
  }
});

test('listing with a filter that matches nothing gives an empty list (Tiller sends no message)', async () => {
  await expect(tiller.list({ filter: '^no-such-release-anywhere$' })).resolves.toEqual([]);
});

test('a dry run renders the manifest and notes but creates nothing', async () => {
  const name = uniqueName('dry');
  const chart = await fetchChart('hello', '1.0.0');
  const release = await tiller.install({ chart, name, namespace, dryRun: true, valuesYaml: 'message: dry run\n' });
  expect(release.manifest).toContain('kind: Deployment');
  expect(release.manifest).toContain('dry run');
  expect(release.info?.status?.notes).toContain(name);
  await expectAppStoreError(tiller.status(name), 'NotFound', /not found/);
  const maps = await kube.core.listNamespacedConfigMap({ namespace });
  expect(maps.items.map((m) => m.metadata?.name ?? '').filter((n) => n.startsWith(name))).toEqual([]);
});

test('a template that does not render is an invalid chart, with Tiller\'s message kept', async () => {
  const chart = await fetchChart('hello', '1.0.0');
  const broken = {
    ...chart,
    templates: [...chart.templates, { name: 'templates/broken.yaml', data: Buffer.from('{{ .Values.nope.deeper }}\n') }],
  };
  const err = await expectAppStoreError(
    tiller.install({ chart: broken, name: uniqueName('broken'), namespace }),
    'Unprocessable',
    /render error in "hello\/templates\/broken.yaml"/,
  );
  expect(String(err.details.upstream)).toContain('nil pointer');
});

describe('the life of a release: install, helm CLI interop, upgrade, rollback, purge', () => {
  const name = uniqueName('hello');
  const fullname = `${name}-hello`;

  test('install creates the Deployment, Service and ConfigMap, and the Pods become Ready', async () => {
    const chart = await fetchChart('hello', '1.0.0');
    const release = await tiller.install({
      chart,
      name,
      namespace,
      valuesYaml: yaml.dump({ message: 'installed by the native client', replicaCount: 2 }),
      wait: true,
      timeoutSeconds: 120,
    });
    expect(release.name).toBe(name);
    expect(release.version).toBe(1);
    expect(release.info?.status?.code).toBe(ReleaseStatusCode.DEPLOYED);

    const deployment = await kube.apps.readNamespacedDeployment({ name: fullname, namespace });
    expect(deployment.spec?.replicas).toBe(2);
    await kube.core.readNamespacedService({ name: fullname, namespace });
    const config = await kube.core.readNamespacedConfigMap({ name: fullname, namespace });
    expect(config.data?.message).toBe('installed by the native client');

    const ready = await eventually('2 Ready pods', async () => {
      const pods = await kube.core.listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/instance=${name}` });
      const readyPods = pods.items.filter((p) =>
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return readyPods.length === 2 ? readyPods : undefined;
    });
    expect(ready).toHaveLength(2);
  });

  test('installing the same name again is refused as name in use', async () => {
    const chart = await fetchChart('hello', '1.0.0');
    const err = await expectAppStoreError(tiller.install({ chart, name, namespace }), 'AlreadyExists', /already exists|in use/);
    expect(err.details.tiller).toBe('NameInUse');
  });

  test('the Helm v2 CLI sees the release through the same Tiller', async () => {
    const list = await helm('list', '--output', 'json', name);
    const parsed = JSON.parse(list) as { Releases: Array<{ Name: string; Status: string; Chart: string }> };
    expect(parsed.Releases).toEqual([expect.objectContaining({ Name: name, Status: 'DEPLOYED', Chart: 'hello-1.0.0' })]);
    const status = await helm('status', name);
    expect(status).toContain('STATUS: DEPLOYED');
    expect(status).toContain(`NAMESPACE: ${namespace}`);
  });

  test('status, content and list show the release', async () => {
    const status = await tiller.status(name);
    expect(status.namespace).toBe(namespace);
    expect(status.info?.status?.code).toBe(ReleaseStatusCode.DEPLOYED);
    expect(status.info?.status?.resources).toContain(fullname);
    const content = await tiller.content(name);
    expect(content.config?.raw).toContain('installed by the native client');
    expect(content.chart?.metadata?.version).toBe('1.0.0');
    const listed = await tiller.list({ namespace });
    expect(listed.map((r) => r.name)).toContain(name);
  });

  test('upgrade to 1.1.0 changes the objects and adds a revision', async () => {
    const chart = await fetchChart('hello', '1.1.0');
    const release = await tiller.upgrade({ chart, name, reuseValues: true, wait: true, timeoutSeconds: 120 });
    expect(release.version).toBe(2);
    expect(release.chart?.metadata?.version).toBe('1.1.0');
    const config = await kube.core.readNamespacedConfigMap({ name: fullname, namespace });
    expect(config.data?.version).toBe('1.1.0');
    expect(config.data?.message).toBe('installed by the native client');
  });

  test('history lists both revisions, newest first', async () => {
    const history = await tiller.history(name);
    expect(history.map((r) => [r.version, r.chart?.metadata?.version, r.info?.status?.code])).toEqual([
      [2, '1.1.0', ReleaseStatusCode.DEPLOYED],
      [1, '1.0.0', ReleaseStatusCode.SUPERSEDED],
    ]);
  });

  test('rollback to revision 1 restores the 1.0.0 objects as revision 3', async () => {
    const release = await tiller.rollback({ name, revision: 1, wait: true, timeoutSeconds: 120 });
    expect(release.version).toBe(3);
    const config = await kube.core.readNamespacedConfigMap({ name: fullname, namespace });
    expect(config.data?.version).toBeUndefined();
    expect((await tiller.content(name)).chart?.metadata?.version).toBe('1.0.0');
  });

  test('uninstall with purge removes the objects and the release records', async () => {
    const { release } = await tiller.uninstall(name, { purge: true });
    expect(release?.name).toBe(name);
    await eventually('the Deployment to be gone', async () => {
      try {
        await kube.apps.readNamespacedDeployment({ name: fullname, namespace });
        return undefined;
      } catch (err) {
        return statusOf(err) === 404 ? true : undefined;
      }
    });
    for (const read of [
      () => kube.core.readNamespacedService({ name: fullname, namespace }),
      () => kube.core.readNamespacedConfigMap({ name: fullname, namespace }),
    ]) {
      await expect(read()).rejects.toMatchObject({ code: 404 });
    }
    await expectAppStoreError(tiller.status(name), 'NotFound', new RegExp(`release: "${name}" not found`));
    const records = await kube.core.listNamespacedSecret({
      namespace: env.cluster.tillerNamespace,
      labelSelector: `NAME=${name},OWNER=TILLER`,
    });
    expect(records.items).toEqual([]);
  });
});
