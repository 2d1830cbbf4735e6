/**
 * OAuth clients for releases through standard dynamic client registration
 * (RFC 7591, with RFC 7592 management), against the real OpenID Provider of
 * the test services (npm oidc-provider, registration and registration
 * management enabled), the real Tiller and API server. The store finds the
 * registration endpoint through the provider's discovery document.
 */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { RegistrationProvisioner } from '../../src/provisioning/index.js';
import { ALL_STATUS_CODES } from '../../src/tiller/index.js';
import { fault } from '../harness/fault-control.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, eventually, kubeClients, statusOf } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-provisioning';
const storeNamespace = 'appstore-provisioning';
let running: RunningStore;
let call: ReturnType<typeof api>;

/** What the provider answered to every registration the store made (client_id, secret, RAT, client URI). */
const registrations: Array<Record<string, string>> = [];
const realFetch = globalThis.fetch;

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
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
    extraEnv: { APPSTORE_PROVISIONER: 'oidc-registration', APPSTORE_OIDC_ISSUER: env.oidc.issuer, APPSTORE_AUTHENTICATORS: 'static' },
  });
  call = api(running.url);
});

afterAll(async () => {
  jest.restoreAllMocks();
  await fault(env.controlUrl, 'tiller/start').catch(() => undefined);
  await running?.stop();
});

/** The client as the provider has it (RFC 7592 read), or the HTTP status when it will not show it. */
async function atProvider(location: string, token: string): Promise<Record<string, unknown> | number> {
  const res = await realFetch(location, { headers: { authorization: `Bearer ${token}` } });
  return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : res.status;
}

async function record(id: string): Promise<Record<string, unknown> & { provisioned?: Record<string, string> }> {
  const secret = await kube.core.readNamespacedSecret({ name: `appstore-release-${id}`, namespace: storeNamespace });
  return JSON.parse(Buffer.from(secret.data!.record!, 'base64').toString('utf8'));
}

async function clientSecrets(id: string): Promise<Record<string, string> | undefined> {
  try {
    const secret = await kube.core.readNamespacedSecret({ name: `appstore-client-${id}`, namespace: storeNamespace });
    return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

const storeSecrets = async () => (await kube.core.listNamespacedSecret({ namespace: storeNamespace })).items.map((s) => s.metadata?.name);
const tillerReleasesIn = async (ns: string) =>
  (await running.store.tiller.list({ statusCodes: ALL_STATUS_CODES })).filter((r) => r.namespace === ns).map((r) => r.name);

describe('an oidc-app release through its life', () => {
  let id = '';
  let clientId = '';
  let location = '';

  test('install registers a client at the provider before Tiller installs, and the app receives its id', async () => {
    const before = registrations.length;
    const values = { host: 'notes.apps.example.org' };
    const res = await call('POST', '/releases', {
      user: 'alice',
      body: { application: 'sample/oidc-app', version: '0.1.0', namespace, adminGroups: ['fc:org:example.org'], values },
    });
    expect(res.status).toBe(200);
    id = String(res.json.id);
    // The seed's release document, exactly: no generated data, no client, no secret.
    expect(res.json).toEqual({ id, owner: 'alice', application: 'sample/oidc-app', version: '0.1.0', namespace, adminGroups: ['fc:org:example.org'], development: false, values });
    expect(registrations.length).toBe(before + 1);
    const registered = registrations.at(-1)!;
    clientId = registered.client_id!;
    location = registered.registration_client_uri!;

    const secrets = await clientSecrets(id);
    expect(secrets).toEqual({ client_secret: registered.client_secret, registration_access_token: registered.registration_access_token });
    const client = await atProvider(location, secrets!.registration_access_token!);
    expect(client).toMatchObject({
      client_id: clientId,
      client_name: `appstore-${id}`,
      redirect_uris: ['https://notes.apps.example.org/oauth2/callback'],
      scope: 'openid profile email groups',
    });

    const configMap = await kube.core.readNamespacedConfigMap({ name: `${id}-oidc-app`, namespace });
    expect(configMap.data?.client_id).toBe(clientId);
    // The values Tiller holds carry the generated data; the record's values do not.
    const stdout = execFileSync(env.cluster.peers.helm ?? 'helm', ['--host', env.cluster.helmHost, 'get', 'values', id], {
      env: { ...process.env, HELM_HOME: `${env.cluster.dir}/helm-home` },
    }).toString();
    expect(stdout).toContain(`id: ${clientId}`);
    expect(stdout).toContain(`client_secret: ${registered.client_secret}`);
    expect(stdout).toContain('- fc:org:example.org');
    const stored = await record(id);
    expect(stored.values).toEqual(values);
    expect(stored.provisioned).toMatchObject({ provisioner: 'oidc-registration', clientId, location, state: 'active' });
    expect(JSON.stringify(stored)).not.toContain(registered.client_secret);
    expect(JSON.stringify(stored)).not.toContain(registered.registration_access_token);
  });

  test('GET /releases/{id} and the list never show the client or its secret', async () => {
    const res = await call('GET', `/releases/${id}`, { user: 'alice' });
    expect(Object.keys(res.json).sort()).toEqual(['adminGroups', 'application', 'development', 'id', 'namespace', 'owner', 'values', 'version']);
    expect(res.text).not.toContain(clientId);
    expect((await call('GET', '/releases', { user: 'alice' })).text).not.toContain(clientId);
  });

  test('status shows the client id and its state', async () => {
    const res = await call('GET', `/releases/${id}/status`, { user: 'bob' });
    expect(res.status).toBe(200);
    expect(res.json.dataporten).toEqual({ client_id: clientId, state: 'active' });
    expect(res.text).not.toContain((await clientSecrets(id))!.client_secret);
  });

  test('upgrade keeps the client, and changes its redirect URIs when the host changes', async () => {
    const res = await call('PATCH', `/releases/${id}`, { user: 'alice', body: { values: { host: 'moved.apps.example.org', replicaCount: 2 } } });
    expect(res.status).toBe(200);
    expect(res.json.values).toEqual({ host: 'moved.apps.example.org', replicaCount: 2 });
    const secrets = (await clientSecrets(id))!;
    const client = await atProvider(location, secrets.registration_access_token!);
    expect(client).toMatchObject({ client_id: clientId, redirect_uris: ['https://moved.apps.example.org/oauth2/callback'] });
    const configMap = await kube.core.readNamespacedConfigMap({ name: `${id}-oidc-app`, namespace });
    expect(configMap.data).toMatchObject({ client_id: clientId, host: 'moved.apps.example.org' });
    expect((await record(id)).provisioned).toMatchObject({ clientId, redirectUris: ['https://moved.apps.example.org/oauth2/callback'] });
  });

  test('an upgrade that changes nothing of the client does not touch it (its management token stays)', async () => {
    const token = (await clientSecrets(id))!.registration_access_token;
    expect((await call('PATCH', `/releases/${id}`, { user: 'alice', body: { values: { replicaCount: 1 } } })).status).toBe(200);
    expect((await clientSecrets(id))!.registration_access_token).toBe(token);
    const configMap = await kube.core.readNamespacedConfigMap({ name: `${id}-oidc-app`, namespace });
    expect(configMap.data?.client_id).toBe(clientId);
  });

  test('a rollback records the values the user gave, never the generated ones, and the client follows the old host', async () => {
    const res = await call('POST', `/releases/${id}/rollback`, { user: 'alice', body: { revision: 1 } });
    expect(res.status).toBe(200);
    expect(res.json.values).toEqual({ host: 'notes.apps.example.org' });
    expect(JSON.stringify((await record(id)).values)).not.toContain('appstore_generated_data');
    expect((await kube.core.readNamespacedConfigMap({ name: `${id}-oidc-app`, namespace })).data?.client_id).toBe(clientId);
    const client = await atProvider(location, (await clientSecrets(id))!.registration_access_token!);
    expect(client).toMatchObject({ client_id: clientId, redirect_uris: ['https://notes.apps.example.org/oauth2/callback'] });
    expect((await record(id)).provisioned).toMatchObject({ redirectUris: ['https://notes.apps.example.org/oauth2/callback'] });
  });

  test('the provisioner describes the client as the provider has it (RFC 7592 read)', async () => {
    const provisioner = new RegistrationProvisioner({ registrationUrl: `${env.oidc.issuer}/reg`, timeoutMs: 5000 });
    const secrets = (await clientSecrets(id))!;
    const handle = { clientId, location, owner: 'alice', scopes: [] };
    const described = await provisioner.describe({ handle, secrets: { registrationAccessToken: secrets.registration_access_token! } }, {});
    expect(described).toEqual({ clientId, scopes: ['openid', 'profile', 'email', 'groups'], redirectUris: ['https://notes.apps.example.org/oauth2/callback'] });
    expect(await provisioner.describe({ handle, secrets: { registrationAccessToken: 'not-the-token' } }, {})).toBeUndefined();
  });

  test('delete removes the client at the provider, then its secrets and the record', async () => {
    const token = (await clientSecrets(id))!.registration_access_token!;
    expect(await atProvider(location, token)).toMatchObject({ client_id: clientId });
    expect((await call('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
    // RFC 7592: a token whose client is gone is refused.
    expect(await atProvider(location, token)).toBe(401);
    expect(await clientSecrets(id)).toBeUndefined();
    expect(await storeSecrets()).not.toContain(`appstore-release-${id}`);
  });
});

describe('a failed install leaves no client behind', () => {
  test('Tiller refuses the release (an invalid Service type): the client is deleted, nothing is left', async () => {
    const before = registrations.length;
    const res = await call('POST', '/releases', {
      user: 'alice',
      body: { application: 'sample/oidc-app', version: '0.1.0', namespace, values: { host: 'broken.example.org', service: { type: 'NoSuchType' } } },
    });
    // Tiller's failure as the store reports it (the API server refused the Service).
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.json.detail).toMatch(/NoSuchType/);
    expect(registrations.length).toBe(before + 1);
    const registered = registrations.at(-1)!;
    expect(await atProvider(registered.registration_client_uri!, registered.registration_access_token!)).toBe(401);
    expect((await storeSecrets()).filter((n) => n?.startsWith('appstore-'))).toEqual([]);
    expect(await tillerReleasesIn(namespace)).toEqual([]);
  });

  test('Tiller is down: 503, and the client registered for the install is deleted', async () => {
    await fault(env.controlUrl, 'tiller/stop');
    try {
      const before = registrations.length;
      const res = await call('POST', '/releases', {
        user: 'alice',
        body: { application: 'sample/oidc-app', version: '0.1.0', namespace, values: { host: 'down.example.org' } },
      });
      expect(res.status).toBe(503);
      expect(registrations.length).toBe(before + 1);
      const registered = registrations.at(-1)!;
      expect(await atProvider(registered.registration_client_uri!, registered.registration_access_token!)).toBe(401);
    } finally {
      await fault(env.controlUrl, 'tiller/start');
    }
    await eventually('the store to reach Tiller again', () => running.store.tiller.version().then(() => true, () => undefined), 30_000);
    // The record Tiller's absence left pending is cleaned up by reconciliation.
    await running.store.reconcile();
    expect((await storeSecrets()).filter((n) => n?.startsWith('appstore-'))).toEqual([]);
  });
});

describe('the provider is down', () => {
  let down: RunningStore;
  let closedUrl = '';

  beforeAll(async () => {
    // A port that was just free and is closed again: connections are refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
    await ensureNamespace(kube, 'apps-provisioning-down');
    down = await startStore(env, {
      namespace: 'appstore-provisioning-down',
      deployNamespaces: ['apps-provisioning-down'],
      extraEnv: { APPSTORE_PROVISIONER: 'oidc-registration', APPSTORE_OIDC_REGISTRATION_URL: `${closedUrl}/reg`, APPSTORE_AUTHENTICATORS: 'static' },
    });
  });

  afterAll(() => down?.stop());

  test('an install of a chart that needs a client is 503 before anything is installed: no Tiller release, no record', async () => {
    const res = await api(down.url)('POST', '/releases', {
      user: 'alice',
      body: { application: 'sample/oidc-app', version: '0.1.0', namespace: 'apps-provisioning-down', values: { host: 'x.example.org' } },
    });
    expect(res.status).toBe(503);
    expect(res.json.detail).toMatch(/OpenID Provider is unavailable/);
    expect(await tillerReleasesIn('apps-provisioning-down')).toEqual([]);
    const secrets = await kube.core.listNamespacedSecret({ namespace: 'appstore-provisioning-down' });
    expect(secrets.items.map((s) => s.metadata?.name).filter((n) => n?.startsWith('appstore-'))).toEqual([]);
  });

  test('charts that need no client still install', async () => {
    const call2 = api(down.url);
    const res = await call2('POST', '/releases', { user: 'alice', body: { application: 'sample/hello', version: '1.0.0', namespace: 'apps-provisioning-down' } });
    expect(res.status).toBe(200);
    expect((await call2('GET', `/releases/${String(res.json.id)}/status`, { user: 'alice' })).json.dataporten).toBeUndefined();
    expect((await call2('DELETE', `/releases/${String(res.json.id)}`, { user: 'alice' })).status).toBe(204);
  });
});
