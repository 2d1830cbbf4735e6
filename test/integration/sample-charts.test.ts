/**
 * Every sample chart of the repository, fetched over HTTP, loaded in-process
 * and installed through the real Tiller; stack exercises what the Helm 2
 * client does before an install (conditions, tags, import-values).
 */
import { randomBytes } from 'node:crypto';
import yaml from 'js-yaml';
import { loadChartArchive, processRequirements } from '../../src/charts/index.js';
import { TillerClient } from '../../src/tiller/index.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, kubeClients } from './kube.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'charts-it';
const tiller = new TillerClient(env.cluster.helmHost);
const installed: string[] = [];

interface IndexFile {
  entries: Record<string, Array<{ version: string; urls: string[]; digest: string }>>;
}

async function fetchArchive(name: string, version: string): Promise<Buffer> {
  const index = yaml.load(await (await fetch(`${env.repoUrl}/index.yaml`)).text()) as IndexFile;
  const entry = index.entries[name]?.find((e) => e.version === version);
  if (!entry) throw new Error(`${name} ${version} is not in the sample repository`);
  const res = await fetch(new URL(entry.urls[0] ?? '', `${env.repoUrl}/`));
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

async function installStack(valuesYaml: string) {
  const name = `stack-${randomBytes(3).toString('hex')}`;
  const chart = processRequirements(await loadChartArchive(await fetchArchive('stack', '0.1.0')), valuesYaml);
  const release = await tiller.install({ chart, name, namespace, valuesYaml, wait: true, timeoutSeconds: 120 });
  installed.push(name);
  const config = await kube.core.readNamespacedConfigMap({ name: `${name}-stack`, namespace });
  return { release, chart, data: config.data ?? {}, name };
}

beforeAll(() => ensureNamespace(kube, namespace));

afterAll(async () => {
  for (const name of installed) await tiller.uninstall(name, { purge: true });
  tiller.close();
});

test.each([
  ['hello', '1.0.0', 'templates/deployment.yaml'],
  ['hello', '1.1.0', 'templates/deployment.yaml'],
  ['stack', '0.1.0', 'templates/configmap.yaml'],
  ['oidc-app', '0.1.0', 'templates/deployment.yaml'],
  ['notebook', '0.1.0', 'templates/cleaner-job.yaml'],
  ['wiki', '0.3.0', 'templates/ingress.yaml'],
])('%s %s loads from the repository by Helm 2 loader rules', async (name, version, template) => {
  const chart = await loadChartArchive(await fetchArchive(name, version));
  expect(chart.metadata).toMatchObject({ name, version, apiVersion: 'v1' });
  expect(chart.templates.map((t) => t.name)).toContain(template);
  expect(chart.values?.raw).not.toBe('');
  // .helmignore'd and templates' files are not among the plain files.
  expect(chart.files.map((f) => f.typeUrl)).not.toContain(template);
});

test('oidc-app carries its resources.yaml declaration as a chart file', async () => {
  const chart = await loadChartArchive(await fetchArchive('oidc-app', '0.1.0'));
  const declared = chart.files.find((f) => f.typeUrl === 'resources.yaml');
  expect(declared).toBeDefined();
  expect(yaml.load(Buffer.from(declared!.value).toString('utf8'))).toMatchObject({
    dataporten: { scopes_requested: expect.arrayContaining(['openid']), redirect_uri: ['/oauth2/callback'] },
  });
});

test('stack installs with hello as a subchart and the values hello exports imported', async () => {
  const { data, name, chart } = await installStack('');
  expect(chart.dependencies.map((d) => d.metadata?.name)).toEqual(['hello']);
  expect(data.helloEnabled).toBe('true');
  expect(data.importedGreeting).not.toBe('');
  expect(data.importedHelloVersion).toBe('1.0.0');
  const hello = await kube.core.readNamespacedConfigMap({ name: `${name}-hello`, namespace });
  expect(hello.data?.message).toBe('Hello from the stack');
});

test('the condition hello.enabled=false removes the subchart and its imports', async () => {
  const { data, name, chart } = await installStack('hello:\n  enabled: false\n');
  expect(chart.dependencies).toEqual([]);
  expect(data.importedGreeting).toBe('');
  await expect(kube.core.readNamespacedConfigMap({ name: `${name}-hello`, namespace })).rejects.toMatchObject({
    code: 404,
  });
});

test('a false tag alone does not disable hello, because its condition decides first', async () => {
  const { chart } = await installStack('tags:\n  frontend: false\n');
  expect(chart.dependencies.map((d) => d.metadata?.name)).toEqual(['hello']);
});
