/**
 * The Helm 4 engine (engine/, built from the project's own Go module) against
 * the test cluster: driven with the store's own Tiller client over Tiller's
 * protocol, and checked with the real Helm 4 CLI, which must see the
 * engine's releases as ordinary Helm releases (Secrets
 * sh.helm.release.v1.<name>.v<N>, owner=helm, in the release's namespace).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { loadChartArchive } from '../../src/charts/index.js';
import { AppStoreError } from '../../src/domain/errors.js';
import { Chart } from '../../gen/hapi/chart/chart.js';
import { ALL_STATUS_CODES, ReleaseStatusCode, TillerClient } from '../../src/tiller/index.js';
import { freePort, waitFor } from '../harness/net.js';
import { ensureLazyPeer } from '../harness/peers.js';
import { ProcessGroup } from '../harness/processes.js';
import { helm4Cli, type Helm4 } from './helm4-cli.js';
import { readTestEnv, testDir } from '../harness/test-env.js';
import { ensureNamespace, eventually, kubeClients, statusOf } from './kube.js';

const run = promisify(execFile);
const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'engine-it';
const dir = join(testDir(), 'engine');
mkdirSync(join(dir, 'logs'), { recursive: true });
const procs = new ProcessGroup(join(dir, 'logs'));
let enginePath = '';
let helm4: Helm4;
let engine: TillerClient;

const uniqueName = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

/** A sample chart, read from the test repository's archive and packed by the store's loader. */
function chart(version: string) {
  return loadChartArchive(readFileSync(join(env.repoDir, `hello-${version}.tgz`)));
}


async function expectAppStoreError(promise: Promise<unknown>, code: string, message: RegExp): Promise<AppStoreError> {
  const err: unknown = await promise.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppStoreError);
  expect((err as AppStoreError).message).toMatch(message);
  expect((err as AppStoreError).code).toBe(code);
  return err as AppStoreError;
}

async function releaseSecrets(name: string): Promise<string[]> {
  const list = await kube.core.listNamespacedSecret({ namespace, labelSelector: `owner=helm,name=${name}` });
  return list.items.map((s) => s.metadata?.name ?? '').sort();
}

beforeAll(async () => {
  // Built on first use only (minutes on a cold cache), then cached like the other peers.
  const progress = (line: string) => process.stderr.write(`[peers] ${line}\n`);
  [enginePath, helm4] = [await ensureLazyPeer('appstore-engine', progress), await helm4Cli(env, join(dir, 'helm4-home'))];
  const address = `127.0.0.1:${await freePort()}`;
  procs.start('appstore-engine', enginePath, [`-listen=${address}`, `-kubeconfig=${env.cluster.kubeconfig}`, '-log-level=debug']);
  engine = new TillerClient(address, { readTimeoutMs: 5000 });
  await waitFor('the engine to answer GetVersion', async () => (await engine.version()) !== '', 60_000, () => procs.tail('appstore-engine'));
  await ensureNamespace(kube, namespace);
}, 30 * 60_000);

afterAll(async () => {
  engine?.close();
  await procs.stopAll();
});

test('GetVersion names the engine and the Helm SDK it runs: v4.3.2+appstore-engine', async () => {
  await expect(engine.version()).resolves.toBe('v4.3.2+appstore-engine');
});

test('the engine refuses to listen on an address other hosts can reach', async () => {
  const err = await run(enginePath, ['-listen=0.0.0.0:0', `-kubeconfig=${env.cluster.kubeconfig}`]).then(
    () => undefined,
    (e: unknown) => e as { code: number; stderr: string },
  );
  expect(err?.code).toBe(2);
  expect(err?.stderr).toMatch(/only a loopback address is allowed/);
});

test('a dry run renders the manifest and notes but stores and creates nothing', async () => {
  const name = uniqueName('dry');
  const release = await engine.install({ chart: await chart('1.0.0'), name, namespace, dryRun: true, valuesYaml: 'message: dry run\n' });
  expect(release.manifest).toContain('kind: Deployment');
  expect(release.manifest).toContain('dry run');
  expect(release.info?.status?.notes).toContain(name);
  await expectAppStoreError(engine.status(name), 'NotFound', new RegExp(`release: "${name}" not found`));
  expect(await releaseSecrets(name)).toEqual([]);
  const maps = await kube.core.listNamespacedConfigMap({ namespace });
  expect(maps.items.map((m) => m.metadata?.name ?? '').filter((n) => n.startsWith(name))).toEqual([]);
});

describe('the life of a release on the engine, seen by the Helm 4 CLI', () => {
  const name = uniqueName('hello');
  const fullname = `${name}-hello`;

  test('install creates the objects and stores the release as the Helm CLI does', async () => {
    const release = await engine.install({
      chart: await chart('1.0.0'),
      name,
      namespace,
      valuesYaml: yaml.dump({ message: 'installed through the engine', replicaCount: 2 }),
      wait: true,
      timeoutSeconds: 120,
      description: 'installed by the engine test',
    });
    expect(release).toMatchObject({ name, namespace, version: 1 });
    expect(release.info?.status?.code).toBe(ReleaseStatusCode.DEPLOYED);
    expect(release.info?.Description).toBe('installed by the engine test');
    const config = await kube.core.readNamespacedConfigMap({ name: fullname, namespace });
    expect(config.data?.message).toBe('installed through the engine');
    expect((await kube.apps.readNamespacedDeployment({ name: fullname, namespace })).spec?.replicas).toBe(2);
    // waited with the kstatus watcher: the Deployment is available when install answers
    const deployment = await kube.apps.readNamespacedDeployment({ name: fullname, namespace });
    expect(deployment.status?.readyReplicas).toBe(2);
    expect(await releaseSecrets(name)).toEqual([`sh.helm.release.v1.${name}.v1`]);
    // server-side apply under the Helm CLI's field manager, so `helm upgrade` does not conflict
    expect(config.metadata?.managedFields?.map((f) => f.manager)).toContain('helm');
  });

  test('the Helm 4 CLI lists the release and shows its status', async () => {
    const listed = JSON.parse(await helm4('list', '-A', '-o', 'json')) as Array<Record<string, string>>;
    expect(listed).toContainEqual(expect.objectContaining({ name, namespace, revision: '1', status: 'deployed', chart: 'hello-1.0.0' }));
    const status = await helm4('status', name, '-n', namespace);
    expect(status).toContain('STATUS: deployed');
    expect(status).toContain(`NAMESPACE: ${namespace}`);
  });

  test('installing the same name again, in any namespace, is refused as name in use', async () => {
    for (const ns of [namespace, 'default']) {
      const err = await expectAppStoreError(engine.install({ chart: await chart('1.0.0'), name, namespace: ns }), 'AlreadyExists', /in use/);
      expect(err.details.tiller).toBe('NameInUse');
    }
  });

  test('status, content and list through gRPC agree with what was installed', async () => {
    const status = await engine.status(name);
    expect(status.namespace).toBe(namespace);
    expect(status.info?.status?.code).toBe(ReleaseStatusCode.DEPLOYED);
    expect(status.info?.status?.resources).toContain(fullname);
    const content = await engine.content(name);
    expect(content.config?.raw).toContain('installed through the engine');
    expect(content.chart?.metadata?.version).toBe('1.0.0');
    expect(content.manifest).toContain(`name: ${fullname}`);
    expect((await engine.list({ namespace })).map((r) => r.name)).toContain(name);
    expect((await engine.list()).map((r) => r.name)).toContain(name);
  });

  test('a dry-run upgrade renders revision 2 but stores and changes nothing', async () => {
    const release = await engine.upgrade({ chart: await chart('1.1.0'), name, reuseValues: true, dryRun: true });
    expect(release.version).toBe(2);
    expect(release.manifest).toContain('1.1.0');
    expect(await releaseSecrets(name)).toEqual([`sh.helm.release.v1.${name}.v1`]);
    expect((await kube.core.readNamespacedConfigMap({ name: fullname, namespace })).data?.version).toBeUndefined();
  });

  test('upgrade to 1.1.0 reusing the values adds revision 2', async () => {
    const release = await engine.upgrade({ chart: await chart('1.1.0'), name, reuseValues: true, wait: true, timeoutSeconds: 120 });
    expect(release.version).toBe(2);
    expect(release.chart?.metadata?.version).toBe('1.1.0');
    const config = await kube.core.readNamespacedConfigMap({ name: fullname, namespace });
    expect(config.data).toMatchObject({ version: '1.1.0', message: 'installed through the engine' });
  });

  test('rollback to revision 1 restores the 1.0.0 objects as revision 3', async () => {
    const release = await engine.rollback({ name, revision: 1, wait: true, timeoutSeconds: 120 });
    expect(release.version).toBe(3);
    expect(release.info?.status?.code).toBe(ReleaseStatusCode.DEPLOYED);
    const config = await kube.core.readNamespacedConfigMap({ name: fullname, namespace });
    expect(config.data?.version).toBeUndefined();
    expect((await engine.content(name)).chart?.metadata?.version).toBe('1.0.0');
  });

  test('history through gRPC and through the Helm 4 CLI agree, newest first over gRPC', async () => {
    const history = await engine.history(name);
    expect(history.map((r) => [r.version, r.chart?.metadata?.version, r.info?.status?.code])).toEqual([
      [3, '1.0.0', ReleaseStatusCode.DEPLOYED],
      [2, '1.1.0', ReleaseStatusCode.SUPERSEDED],
      [1, '1.0.0', ReleaseStatusCode.SUPERSEDED],
    ]);
    const cli = JSON.parse(await helm4('history', name, '-n', namespace, '-o', 'json')) as Array<Record<string, unknown>>;
    expect(cli.map((r) => [r.revision, r.chart, r.status])).toEqual([
      [1, 'hello-1.0.0', 'superseded'],
      [2, 'hello-1.1.0', 'superseded'],
      [3, 'hello-1.0.0', 'deployed'],
    ]);
    expect((await engine.content(name, 2)).chart?.metadata?.version).toBe('1.1.0');
    expect(await releaseSecrets(name)).toHaveLength(3);
  });

  test('uninstall without purge keeps the history: DELETED, listed with all statuses, name still in use', async () => {
    await engine.uninstall(name, { purge: false });
    await eventually('the Deployment to be gone', async () => {
      try {
        await kube.apps.readNamespacedDeployment({ name: fullname, namespace });
        return undefined;
      } catch (err) {
        return statusOf(err) === 404 ? true : undefined;
      }
    });
    expect((await engine.status(name)).info?.status?.code).toBe(ReleaseStatusCode.DELETED);
    expect((await engine.list({ namespace })).map((r) => r.name)).not.toContain(name);
    const all = await engine.list({ namespace, statusCodes: ALL_STATUS_CODES });
    expect(all.find((r) => r.name === name)?.info?.status?.code).toBe(ReleaseStatusCode.DELETED);
    const cli = JSON.parse(await helm4('list', '-n', namespace, '--uninstalled', '-o', 'json')) as Array<Record<string, string>>;
    expect(cli).toContainEqual(expect.objectContaining({ name, status: 'uninstalled' }));
    await expectAppStoreError(engine.install({ chart: await chart('1.0.0'), name, namespace }), 'AlreadyExists', /in use/);
  });

  test('uninstall with purge removes the history and frees the name', async () => {
    await engine.uninstall(name, { purge: true });
    await expectAppStoreError(engine.status(name), 'NotFound', new RegExp(`release: "${name}" not found`));
    expect(await releaseSecrets(name)).toEqual([]);
    expect(await helm4('list', '-A', '-q')).not.toContain(name);
    expect(await helm4('list', '-A', '--uninstalled', '-q')).not.toContain(name);
  });
});

test('a release made by the Helm 4 CLI is read and removed through the engine', async () => {
  const name = uniqueName('cli');
  await helm4('install', name, join(env.repoDir, 'hello-1.0.0.tgz'), '-n', namespace, '--set', 'message=from the CLI');
  const content = await engine.content(name);
  expect(content).toMatchObject({ name, namespace, version: 1 });
  expect(content.config?.raw).toContain('from the CLI');
  await engine.uninstall(name, { purge: true });
  expect(await releaseSecrets(name)).toEqual([]);
});

test('list streams every release in pages, across namespaces, and nothing for no match', async () => {
  const names = [uniqueName('page-a'), uniqueName('page-b'), uniqueName('page-c')];
  for (const name of names) await engine.install({ chart: await chart('1.0.0'), name, namespace });
  try {
    // one release a page: the client follows Tiller's next offsets
    const paged = await engine.list({ namespace, pageSize: 1, filter: '^page-' });
    expect(paged.map((r) => r.name)).toEqual([...names].sort());
    await expect(engine.list({ filter: '^no-such-release-anywhere$' })).resolves.toEqual([]);
  } finally {
    for (const name of names) await engine.uninstall(name, { purge: true });
  }
});

/**
 * An apiVersion v2 chart as the store will send it: hapi's Metadata has no type and no dependencies, so the raw
 * Chart.yaml travels among the files. Built by hand here, to drive the engine directly with each form
 * (engine-charts.test.ts goes through the store).
 */
function v2Chart(withRawChartYaml: boolean): Chart {
  const file = (typeUrl: string, text: string) => ({ typeUrl, value: Buffer.from(text) });
  const raw = (text: string) => (withRawChartYaml ? [file('Chart.yaml', text)] : []);
  const meta = (name: string) => ({ name, version: '0.1.0', apiVersion: 'v2' });
  const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata: {}\n`;
  return Chart.fromPartial({
    metadata: meta('parent'),
    values: { raw: 'renamed:\n  enabled: true\n' },
    templates: [{ name: 'templates/cm.yaml', data: Buffer.from('{{ include "lib.cm" . }}\n') }],
    files: raw(
      'apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n' +
        '- name: lib\n  version: 0.1.0\n- name: sub\n  version: 0.1.0\n  alias: renamed\n  condition: renamed.enabled\n',
    ),
    dependencies: [
      {
        metadata: meta('lib'),
        templates: [
          { name: 'templates/_cm.tpl', data: Buffer.from(`{{- define "lib.cm" -}}\n${cm('{{ .Release.Name }}-lib')}{{- end -}}\n`) },
          { name: 'templates/rendered-only-if-not-a-library.yaml', data: Buffer.from(cm('{{ .Release.Name }}-from-library')) },
        ],
        files: raw('apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n'),
      },
      {
        metadata: meta('sub'),
        templates: [{ name: 'templates/cm.yaml', data: Buffer.from(cm('{{ .Release.Name }}-{{ .Chart.Name }}')) }],
        files: raw('apiVersion: v2\nname: sub\nversion: 0.1.0\n'),
      },
    ],
  });
}

describe('an apiVersion v2 chart: the raw Chart.yaml among the files is preferred over hapi\'s metadata', () => {
  test('with it, the library chart is not rendered and the aliased subchart renders under its alias', async () => {
    const name = uniqueName('v2');
    const release = await engine.install({ chart: v2Chart(true), name, namespace, dryRun: true });
    expect(release.manifest).toContain(`name: ${name}-lib`);
    expect(release.manifest).toContain(`name: ${name}-renamed`);
    expect(release.manifest).not.toContain('from-library');
  });

  test('without it (hapi metadata only), Helm cannot know the library and the alias: the difference is visible', async () => {
    const name = uniqueName('v2');
    const release = await engine.install({ chart: v2Chart(false), name, namespace, dryRun: true });
    expect(release.manifest).toContain(`name: ${name}-from-library`);
    expect(release.manifest).not.toContain(`name: ${name}-renamed`);
  });
});

describe('hostile or unmappable input gets a clear gRPC error and the engine keeps serving', () => {
  afterEach(async () => {
    await expect(engine.version()).resolves.toMatch(/appstore-engine/);
  });

  test('a chart file whose path leaves the chart (..) is an invalid chart, and nothing is installed', async () => {
    const name = uniqueName('evil');
    const base = await chart('1.0.0');
    const evil = { ...base, files: [...base.files, { typeUrl: '../../etc/evil', value: Buffer.from('x') }] };
    const err = await expectAppStoreError(engine.install({ chart: evil, name, namespace }), 'Unprocessable', /not a plain relative path/);
    expect(err.details.tiller).toBe('InvalidChart');
    expect(await releaseSecrets(name)).toEqual([]);
  });

  test('malformed values YAML is an invalid chart (422), as on Tiller', async () => {
    const err = await expectAppStoreError(
      engine.install({ chart: await chart('1.0.0'), name: uniqueName('badvals'), namespace, valuesYaml: 'message: [unclosed\n' }),
      'Unprocessable',
      /YAML parse error on values/,
    );
    expect(err.details.tiller).toBe('InvalidChart');
  });

  test('an empty release name is refused (the engine does not generate names)', async () => {
    await expectAppStoreError(engine.install({ chart: await chart('1.0.0'), name: '', namespace }), 'Unprocessable', /invalid release name/);
  });

  test('a template that does not render is an invalid chart with Helm\'s message', async () => {
    const base = await chart('1.0.0');
    const broken = { ...base, templates: [...base.templates, { name: 'templates/broken.yaml', data: Buffer.from('{{ .Values.nope.deeper }}\n') }] };
    const err = await expectAppStoreError(engine.install({ chart: broken, name: uniqueName('broken'), namespace }), 'Unprocessable', /render error in/);
    expect(String(err.details.upstream)).toContain('nil pointer');
  });

  // Helm's client-side OpenAPI check is off (it fetches the OpenAPI document per install): the API server's
  // strict field validation still refuses what does not fit the schema.
  test('an object with a field its kind does not have is refused by the API server\'s field validation', async () => {
    const name = uniqueName('bogus');
    const base = await chart('1.0.0');
    const bogus = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}-bogus\nbogusField: 1\n`;
    const withBogus = { ...base, templates: [...base.templates, { name: 'templates/bogus.yaml', data: Buffer.from(bogus) }] };
    try {
      const err = await expectAppStoreError(engine.install({ chart: withBogus, name, namespace }), 'Unprocessable', /bogusField: field not declared in schema/);
      expect(err.details.tiller).toBe('InvalidChart');
    } finally {
      await engine.uninstall(name, { purge: true }).catch(() => undefined);
    }
  });

  test('an unknown release is not found, with Tiller\'s wording', async () => {
    await expectAppStoreError(engine.history('no-such-release'), 'NotFound', /release: "no-such-release" not found/);
    await expectAppStoreError(engine.rollback({ name: 'no-such-release', revision: 1 }), 'NotFound', /not found/);
  });

  test('what Helm 4 cannot do is refused as unimplemented, not ignored', async () => {
    const err = await expectAppStoreError(
      engine.upgrade({ chart: await chart('1.0.0'), name: 'no-such-release', recreate: true }),
      'Internal',
      /recreate .*has no equivalent in Helm 4/,
    );
    expect(err.details.grpcCode).toBe(12); // UNIMPLEMENTED
  });
});
