/**
 * Charts in the App Store's own conventions (the sample charts notebook and
 * wiki): resources.yaml with `dataporten` and `aai` sections, schema.yaml,
 * package_versions.json, hooks. Installed through REST by a caller the real
 * OpenID Provider authenticated (its token carries an email), with clients
 * registered at that provider (RFC 7591/7592), on the real Tiller and API
 * server; and the same charts with no provisioner.
 */
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChartRepo, SAMPLE_CHARTS_DIR } from '../harness/chart-repo.js';
import { serveChartRepo, type ServedChartRepo } from '../harness/serve-chart-repo.js';
import { ALL_STATUS_CODES } from '../../src/tiller/index.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, eventually, kubeClients, statusOf } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-charts';
const storeNamespace = 'appstore-charts';
let running: RunningStore;
let call: ReturnType<typeof api>;
let token = '';
let discovery: Record<string, string>;
let broken: ServedChartRepo;

/** Variants of the wiki chart whose resources.yaml the store cannot use: chart name → resources.yaml. */
const BROKEN: Record<string, string> = {
  'wiki-list': '- dataporten\n- aai\n',
  'wiki-types': 'aai:\n  Options:\n    ScopesRequested: openid\n    RedirectURI: [/cb]\n',
  'wiki-section': 'dataporten: [a, b]\n',
  'wiki-action': 'aai:\n  Options:\n    RedirectURI: ["https://{{ .Release.Name }}.example.org/cb"]\n',
  'wiki-no-uri': 'dataporten:\n  Options:\n    ScopesRequested: [openid]\n',
  'wiki-yaml': 'dataporten: {Options: [unclosed\n',
};

/** Variants of the wiki chart that this cluster or this engine cannot install: chart name → files replaced. */
const UNINSTALLABLE: Record<string, Record<string, string>> = {
  // As charts of 2018 were written: API versions Kubernetes 1.22 and 1.25 stopped serving.
  'wiki-old-api': {
    'templates/ingress.yaml': [
      'apiVersion: extensions/v1beta1',
      'kind: Ingress',
      'metadata: {name: {{ .Release.Name }}-wiki}',
      'spec: {rules: [{host: {{ .Values.ingress.host | quote }}, http: {paths: [{path: /, backend: {serviceName: {{ .Release.Name }}-wiki, servicePort: 80}}]}}]}',
    ].join('\n'),
    'templates/role.yaml': 'apiVersion: rbac.authorization.k8s.io/v1beta1\nkind: Role\nmetadata: {name: {{ .Release.Name }}-wiki}\nrules: []\n',
  },
  // Two objects of one name: Tiller creates the first and fails on the second ("already exists").
  'wiki-twice': { 'templates/again.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ template "wiki.fullname" . }}}\ndata: {again: "yes"}\n' },
  'wiki-v2': { 'Chart.yaml': 'apiVersion: v2\nname: wiki-v2\nversion: 0.1.0\ndescription: a Helm 3 chart\n' },
};

/** A repository of the BROKEN and UNINSTALLABLE variants, built from the sample wiki chart. */
async function serveBroken(): Promise<ServedChartRepo> {
  const src = await mkdtemp(join(tmpdir(), 'appstore-broken-'));
  const variants = {
    ...Object.fromEntries(Object.entries(BROKEN).map(([name, resources]) => [name, { 'resources.yaml': resources }])),
    ...UNINSTALLABLE,
  };
  for (const [name, files] of Object.entries(variants)) {
    const dir = join(src, name);
    await cp(join(SAMPLE_CHARTS_DIR, 'wiki'), dir, { recursive: true });
    await writeFile(join(dir, 'Chart.yaml'), `apiVersion: v1\nname: ${name}\nversion: 0.1.0\ndescription: a wiki variant\n`);
    for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  }
  const out = await mkdtemp(join(tmpdir(), 'appstore-broken-repo-'));
  const served = await serveChartRepo(out);
  await buildChartRepo(src, out, { baseUrl: served.url });
  return served;
}

/** What the provider answered to every registration the store made. */
const registrations: Array<Record<string, string>> = [];
const realFetch = globalThis.fetch;

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  broken = await serveBroken();
  jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const res = await realFetch(input, init);
    if (init?.method === 'POST' && String(input).startsWith(`${env.oidc.issuer}/reg`) && res.status === 201) {
      registrations.push((await res.clone().json()) as Record<string, string>);
    }
    return res;
  });
  running = await startStore(env, {
    namespace: storeNamespace,
    deployNamespaces: [namespace],
    extraEnv: {
      APPSTORE_PROVISIONER: 'oidc-registration',
      APPSTORE_OIDC_ISSUER: env.oidc.issuer,
      APPSTORE_OIDC_AUDIENCE: env.oidc.audience,
      APPSTORE_AUTHENTICATORS: 'static,oidc',
      APPSTORE_REPOS: `sample=${env.repoUrl},broken=${broken.url}`,
    },
  });
  call = api(running.url);
  const minted = await realFetch(env.oidc.mintUrl, {
    method: 'POST',
    body: JSON.stringify({ sub: 'dana-oidc', email: 'dana@example.org', groups: ['fc:org:example.org'] }),
  });
  token = ((await minted.json()) as { access_token: string }).access_token;
  discovery = (await (await realFetch(`${env.oidc.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
});

afterAll(async () => {
  jest.restoreAllMocks();
  await running?.stop();
  await broken?.close();
});

async function atProvider(location: string, rat: string): Promise<Record<string, unknown> | number> {
  const res = await realFetch(location, { headers: { authorization: `Bearer ${rat}` } });
  return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : res.status;
}

const configMap = async (name: string) => (await kube.core.readNamespacedConfigMap({ name, namespace })).data ?? {};
const jobsIn = async (ns: string) => (await kube.batch.listNamespacedJob({ namespace: ns })).items.map((j) => j.metadata?.name);
const storeSecrets = async (ns: string) =>
  (await kube.core.listNamespacedSecret({ namespace: ns })).items.map((s) => s.metadata?.name).filter((n) => n?.startsWith('appstore-'));

/** Whether the Job controller reports that the named Job completed (the events outlive the Job). */
async function jobCompleted(ns: string, job: string): Promise<boolean> {
  const events = await kube.core.listNamespacedEvent({ namespace: ns });
  return events.items.some((e) => e.involvedObject.kind === 'Job' && e.involvedObject.name === job && e.reason === 'Completed');
}

describe('the package detail of a chart in the App Store conventions', () => {
  test('shows the form schema without the generated data, the software versions, the declared client and its standards', async () => {
    const res = await call('GET', '/packages/sample/notebook/versions/0.1.0');
    expect(res.status).toBe(200);
    const form = res.json.formSchema as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(form.properties).sort()).toEqual(['ingress', 'persistentStorage', 'resources']);
    expect(form.required).toEqual(['ingress']);
    expect(res.json.softwareVersions).toEqual({ 'pkg-python-version': '3.12.7', 'pkg-notebook-version': '7.2.x', 'pkg-board-version': '2.17.0' });
    expect(res.json.client).toEqual({
      sections: ['dataporten', 'aai'],
      scopes: ['profile', 'openid', 'groups', 'email'],
      redirectUris: ['/oauth2/callback', 'https://board-{{ .Values.ingress.host }}/oauth2/callback'],
      provisioned: true,
      detail: expect.stringContaining('oidc-registration'),
    });
    expect(res.json.standards).toEqual([{ name: 'defaultMount', known: true, description: expect.stringContaining('persistentStorage') }]);
    // Without schema.yaml or package_versions.json: nothing invented.
    const hello = await call('GET', '/packages/sample/hello/versions/1.0.0');
    expect(hello.json.softwareVersions).toEqual({});
    expect(hello.json.standards).toEqual([]);
    expect(hello.json.client).toBeUndefined();
    expect(hello.json.formSchema).toEqual(hello.json.valuesSchema);
  });
});

describe('notebook: both sections, one client, its hooks', () => {
  let id = '';
  let clientId = '';
  let location = '';
  let rat = '';

  test('install registers one client with the union of both sections and injects it as dataporten and aai', async () => {
    const before = registrations.length;
    const res = await call('POST', '/releases', {
      token,
      body: { application: 'sample/notebook', version: '0.1.0', namespace, adminGroups: ['fc:org:example.org'], values: { ingress: { host: 'nb.apps.example.org' } } },
    });
    expect(res.status).toBe(200);
    id = String(res.json.id);
    expect(registrations.length).toBe(before + 1);
    const registered = registrations.at(-1)!;
    clientId = registered.client_id!;
    location = registered.registration_client_uri!;
    rat = registered.registration_access_token!;
    expect(await atProvider(location, rat)).toMatchObject({
      client_id: clientId,
      redirect_uris: ['https://nb.apps.example.org/oauth2/callback', 'https://board-nb.apps.example.org/oauth2/callback'],
      scope: 'profile openid groups email',
    });
    const data = await configMap(`${id}-notebook`);
    expect(data).toMatchObject({
      dataporten_client_id: clientId,
      dataporten_owner: 'dana-oidc',
      dataporten_scopes: 'profile,openid,groups,email',
      dataporten_authorized_groups: 'fc:org:example.org',
      aai_client_id: clientId,
      aai_issuer_url: discovery.issuer,
      aai_auth_url: discovery.authorization_endpoint,
      aai_token_url: discovery.token_endpoint,
      aai_userinfo_url: discovery.userinfo_endpoint,
      aai_scopes: 'profile,openid,groups,email',
      aai_authorized_principals: 'fc:org:example.org',
      contact_email: 'dana@example.org',
    });
    const secret = await kube.core.readNamespacedSecret({ name: `${id}-notebook`, namespace });
    expect(Buffer.from(secret.data!.client_secret!, 'base64').toString('utf8')).toBe(registered.client_secret);
  });

  test('an upgrade runs the post-upgrade hook Job to completion and leaves no Job behind', async () => {
    const res = await call('PATCH', `/releases/${id}`, { token, body: { values: { resources: { requests: { cpu: '20m', memory: '16Mi' } } } } });
    expect(res.status).toBe(200);
    expect(await jobCompleted(namespace, `${id}-notebook-migrate`)).toBe(true);
    expect(await jobsIn(namespace)).toEqual([]);
    const status = await call('GET', `/releases/${id}/status`, { token });
    expect(status.json.status).toBe('DEPLOYED');
    expect((await configMap(`${id}-notebook`)).aai_client_id).toBe(clientId);
  });

  test('delete runs the post-delete cleaner, removes the client at the provider and leaves nothing behind', async () => {
    expect((await call('DELETE', `/releases/${id}`, { token })).status).toBe(204);
    expect(await jobCompleted(namespace, `${id}-notebook-cleaner`)).toBe(true);
    expect(await jobsIn(namespace)).toEqual([]);
    expect(await atProvider(location, rat)).toBe(401);
    expect(await storeSecrets(storeNamespace)).toEqual([]);
    expect(statusOf(await kube.core.readNamespacedConfigMap({ name: `${id}-notebook`, namespace }).catch((e: unknown) => e))).toBe(404);
  });
});

describe('wiki: the 2018 shape (a dataporten section alone)', () => {
  test('one client with its redirect URI against ingress.host; both sections of the values are filled', async () => {
    const before = registrations.length;
    const res = await call('POST', '/releases', {
      user: 'alice',
      body: { application: 'sample/wiki', version: '0.3.0', namespace, values: { ingress: { host: 'wiki.apps.example.org' } } },
    });
    expect(res.status).toBe(200);
    const id = String(res.json.id);
    const registered = registrations.at(-1)!;
    expect(registrations.length).toBe(before + 1);
    expect(await atProvider(registered.registration_client_uri!, registered.registration_access_token!)).toMatchObject({
      redirect_uris: ['https://wiki.apps.example.org/dataporten/callback'],
      scope: 'groups profile email',
    });
    expect(await configMap(`${id}-wiki`)).toMatchObject({ client_id: registered.client_id, owner: 'alice', scopes: 'groups,profile,email' });
    expect((await call('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
    expect(await atProvider(registered.registration_client_uri!, registered.registration_access_token!)).toBe(401);
  });

  test('the chart default ingress.host is used when the user sets none', async () => {
    const res = await call('POST', '/releases', { user: 'alice', body: { application: 'sample/wiki', version: '0.3.0', namespace } });
    expect(res.status).toBe(200);
    expect((await atProvider(registrations.at(-1)!.registration_client_uri!, registrations.at(-1)!.registration_access_token!))).toMatchObject({
      redirect_uris: ['https://wiki.local/dataporten/callback'],
    });
    expect((await call('DELETE', `/releases/${String(res.json.id)}`, { user: 'alice' })).status).toBe(204);
  });
});

describe('a resources.yaml the store cannot use is a 422 naming the problem, and nothing is made', () => {
  test.each([
    ['a host that is not set', { ingress: { host: '' } }, /ingress\.host/, 'values.ingress.host'],
    ['a host that is not a host name', { ingress: { host: 'evil.example.org/x' } }, /is not a host name/, 'values.ingress.host'],
  ])('%s', async (_what, values, detail, parameter) => {
    const before = registrations.length;
    const res = await call('POST', '/releases', { user: 'alice', body: { application: 'sample/notebook', version: '0.1.0', namespace, values } });
    expect(res.status).toBe(422);
    expect(res.json.detail).toMatch(detail);
    expect(res.json.parameter).toBe(parameter);
    expect(registrations.length).toBe(before);
    expect(await storeSecrets(storeNamespace)).toEqual([]);
  });
});

describe('a malformed resources.yaml is a 422 naming the problem, at install and in the package detail, and nothing is made', () => {
  test.each([
    ['wiki-list', /resources\.yaml cannot be used: it is not a mapping/],
    ['wiki-types', /aai\.Options\.ScopesRequested must be a list of strings/],
    ['wiki-section', /dataporten is not a mapping/],
    ['wiki-action', /resources\.yaml cannot be used: the redirect URI .* holds the template action \{\{ \.Release\.Name \}\}/],
    ['wiki-no-uri', /dataporten\.Options\.RedirectURI name no redirect URI/],
    ['wiki-yaml', /resources\.yaml cannot be used/],
  ])('%s', async (name, detail) => {
    const before = registrations.length;
    const res = await call('POST', '/releases', { user: 'alice', body: { application: `broken/${name}`, version: '0.1.0', namespace } });
    expect(res.status).toBe(422);
    expect(res.json.detail).toMatch(detail);
    expect(registrations.length).toBe(before);
    expect(await storeSecrets(storeNamespace)).toEqual([]);
    const releases = (await running.store.tiller.list({})).filter((r) => r.namespace === namespace);
    expect(releases).toEqual([]);
    if (name !== 'wiki-action') {
      // The template action needs the values; the rest is refused in the detail already.
      const detailRes = await call('GET', `/packages/broken/${name}/versions/0.1.0`);
      expect(detailRes.status).toBe(422);
      expect(detailRes.json.detail).toMatch(detail);
    }
  });
});

describe('charts this cluster or this engine cannot install', () => {
  test('manifests of API versions the cluster no longer serves: a 422 listing each kind/apiVersion; the client made is deleted', async () => {
    const before = registrations.length;
    const res = await call('POST', '/releases', { user: 'alice', body: { application: 'broken/wiki-old-api', version: '0.1.0', namespace } });
    expect(res.status).toBe(422);
    expect(res.json.detail).toMatch(/does not serve: .*Ingress extensions\/v1beta1/);
    expect(res.json.detail).toMatch(/Role rbac\.authorization\.k8s\.io\/v1beta1/);
    // The client is made before Tiller renders the chart with it; it goes again.
    expect(registrations.length).toBe(before + 1);
    const made = registrations.at(-1)!;
    expect(await atProvider(made.registration_client_uri!, made.registration_access_token!)).toBe(401);
    expect(await storeSecrets(storeNamespace)).toEqual([]);
    expect((await running.store.tiller.list({})).filter((r) => r.namespace === namespace)).toEqual([]);
  });

  test('an object that exists already is a 409, and what Tiller created before it is purged (not retried under another name)', async () => {
    const before = registrations.length;
    const res = await call('POST', '/releases', { user: 'alice', body: { application: 'broken/wiki-twice', version: '0.1.0', namespace } });
    if (env.cluster.engine === 'helm4') {
      // Helm 4 applies server-side: the second object of the name patches the first, as `helm install` does.
      expect(res.status).toBe(200);
      expect((await call('DELETE', `/releases/${res.json.id as string}`, { user: 'alice' })).status).toBe(204);
      return;
    }
    expect(res.status).toBe(409);
    expect(res.json.detail).toMatch(/configmaps ".*-wiki-twice" already exists/);
    expect(registrations.length).toBe(before + 1);
    expect((await running.store.tiller.list({ statusCodes: ALL_STATUS_CODES })).filter((r) => r.namespace === namespace)).toEqual([]);
    expect((await kube.apps.listNamespacedDeployment({ namespace })).items).toEqual([]);
    expect(await storeSecrets(storeNamespace)).toEqual([]);
  });

  test('an apiVersion v2 chart: on Tiller a 422 that says which engine would install it; on the Helm engine it installs', async () => {
    const res = await call('POST', '/releases', { user: 'alice', body: { application: 'broken/wiki-v2', version: '0.1.0', namespace } });
    if (env.cluster.engine === 'tiller') {
      expect(res.status).toBe(422);
      expect(res.json.detail).toMatch(/is an apiVersion v2 chart \(Helm 3 and later\), which Tiller v2\.17\.\d+ cannot render; the store's Helm engine \(engine\/\) installs it/);
    } else {
      expect(res.status).toBe(200);
      expect((await call('DELETE', `/releases/${res.json.id as string}`, { user: 'alice' })).status).toBe(204);
    }
  });
});

describe('without a provisioner', () => {
  let plain: RunningStore;

  beforeAll(async () => {
    await ensureNamespace(kube, 'apps-charts-plain');
    plain = await startStore(env, { namespace: 'appstore-charts-plain', deployNamespaces: ['apps-charts-plain'], extraEnv: { APPSTORE_AUTHENTICATORS: 'static' } });
  });

  afterAll(() => plain?.stop());

  test('the detail says that no client will be made', async () => {
    const res = await api(plain.url)('GET', '/packages/sample/notebook/versions/0.1.0');
    expect(res.json.client).toMatchObject({ provisioned: false, detail: expect.stringMatching(/no client will be made/) });
  });

  test('notebook installs with the defaults of its values and deletes cleanly, hooks and all', async () => {
    const call2 = api(plain.url);
    const before = registrations.length;
    const res = await call2('POST', '/releases', { user: 'alice', body: { application: 'sample/notebook', version: '0.1.0', namespace: 'apps-charts-plain' } });
    expect(res.status).toBe(200);
    const id = String(res.json.id);
    expect(registrations.length).toBe(before);
    const data = (await kube.core.readNamespacedConfigMap({ name: `${id}-notebook`, namespace: 'apps-charts-plain' })).data ?? {};
    expect(data).toMatchObject({ dataporten_client_id: 'not-provisioned', aai_client_id: 'not-provisioned', contact_email: 'nobody@example.org' });
    expect((await call2('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
    expect(await jobCompleted('apps-charts-plain', `${id}-notebook-cleaner`)).toBe(true);
    expect(await jobsIn('apps-charts-plain')).toEqual([]);
    expect(await storeSecrets('appstore-charts-plain')).toEqual([]);
  });
});

describe('a hook Job that never completes', () => {
  let short: RunningStore;
  const ns = 'apps-charts-hang';

  beforeAll(async () => {
    await ensureNamespace(kube, ns);
    short = await startStore(env, {
      namespace: 'appstore-charts-hang',
      deployNamespaces: [ns],
      extraEnv: { APPSTORE_AUTHENTICATORS: 'static', APPSTORE_TILLER_TIMEOUT_SECONDS: '4' },
    });
  });

  afterAll(() => short?.stop());

  test('an upgrade answers within the timeout, the release is FAILED with a clear status, and a later delete leaves nothing', async () => {
    const call2 = api(short.url);
    const res = await call2('POST', '/releases', { user: 'alice', body: { application: 'sample/notebook', version: '0.1.0', namespace: ns } });
    expect(res.status).toBe(200);
    const id = String(res.json.id);
    const never = { 'appstore.example.org/never-completes': 'true' };
    const started = Date.now();
    const upgrade = await call2('PATCH', `/releases/${id}`, { user: 'alice', body: { values: { migrate: { podAnnotations: never }, cleaner: { podAnnotations: never } } } });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(upgrade.status).toBe(422);
    // Tiller's words, or Helm 4's (which span lines: the Job's kstatus follows).
    expect(upgrade.json.detail).toMatch(/timed out waiting for the condition[\s\S]*hook Job of the chart did not complete; the release is FAILED/);
    const status = await call2('GET', `/releases/${id}/status`, { user: 'alice' });
    expect(status.json.status).toBe('FAILED');
    // The hook's policy (hook-failed) removed the Job that did not complete.
    await eventually('the migrate Job to be gone', async () => ((await jobsIn(ns)).length === 0 ? true : undefined), 20_000);

    // The failed revision's post-delete cleaner never completes either: the delete still answers, and purges.
    const deleted = Date.now();
    expect((await call2('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
    expect(Date.now() - deleted).toBeLessThan(30_000);
    await eventually('the cleaner Job to be gone', async () => ((await jobsIn(ns)).length === 0 ? true : undefined), 20_000);
    expect((await kube.apps.listNamespacedDeployment({ namespace: ns })).items).toEqual([]);
    expect(await storeSecrets('appstore-charts-hang')).toEqual([]);
  });
});
