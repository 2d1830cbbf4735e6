/**
 * OAuth clients for releases through Dataporten's client administration API,
 * played by a TEST DOUBLE written from the API's published README
 * (test/harness/clientadm-double.ts): the real clientadm cannot be reached
 * from here. The store acts with the caller's own token, so the user owns
 * the client. Tiller and the API server are real.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { AppStoreClient, type InstallReleaseResponse, type ReleaseStatus } from '../../gen/appstore/v1/appstore.js';
import { ClientadmProvisioner } from '../../src/provisioning/index.js';
import { ALL_STATUS_CODES } from '../../src/tiller/index.js';
import { startClientadmDouble, type ClientadmDouble } from '../harness/clientadm-double.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, kubeClients, statusOf } from './kube.js';
import { api, startStore, USERS, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-clientadm';
const storeNamespace = 'appstore-clientadm';
const ALICE = '8c3f2d1e-0000-4000-8000-00000000a11c';
const BOB = '8c3f2d1e-0000-4000-8000-000000000b0b';
const SERVICE = '8c3f2d1e-0000-4000-8000-0000000005e5';
let double: ClientadmDouble;
let running: RunningStore;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  double = await startClientadmDouble();
  double.addToken(USERS.alice.token, ALICE);
  double.addToken(USERS.bob.token, BOB);
  double.addToken('appstore-service-token', SERVICE, { platformAdmin: true });
  const tokenFile = join(mkdtempSync(join(tmpdir(), 'appstore-clientadm-')), 'token');
  writeFileSync(tokenFile, 'appstore-service-token\n');
  running = await startStore(env, {
    namespace: storeNamespace,
    deployNamespaces: [namespace],
    // The local OpenID Provider stands in for Dataporten's issuer: charts receive its endpoints as aai.*.
    extraEnv: { APPSTORE_PROVISIONER: 'dataporten', APPSTORE_CLIENTADM_URL: double.url, APPSTORE_CLIENTADM_TOKEN_FILE: tokenFile, APPSTORE_DATAPORTEN_ISSUER: env.oidc.issuer },
  });
  call = api(running.url);
});

afterAll(async () => {
  await running?.stop();
  await double?.close();
});

const install = (values: Record<string, unknown>) =>
  call('POST', '/releases', { user: 'alice', body: { application: 'sample/oidc-app', version: '0.1.0', namespace, adminGroups: ['fc:org:example.org'], values } });

async function storedRecord(id: string): Promise<{ state: string; provisioned?: Record<string, unknown> } | undefined> {
  try {
    const secret = await kube.core.readNamespacedSecret({ name: `appstore-release-${id}`, namespace: storeNamespace });
    return JSON.parse(Buffer.from(secret.data!.record!, 'base64').toString('utf8'));
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

const clientSecretOf = async (id: string) => {
  const secret = await kube.core.readNamespacedSecret({ name: `appstore-client-${id}`, namespace: storeNamespace });
  return Buffer.from(secret.data!.client_secret!, 'base64').toString('utf8');
};

const storeSecrets = async () =>
  (await kube.core.listNamespacedSecret({ namespace: storeNamespace })).items.map((s) => s.metadata?.name ?? '').filter((n) => n.startsWith('appstore-'));
const tillerReleases = async () =>
  (await running.store.tiller.list({ statusCodes: ALL_STATUS_CODES })).filter((r) => r.namespace === namespace).map((r) => r.name);

describe('an oidc-app release with a Dataporten client', () => {
  let id = '';
  let clientId = '';

  test('install creates the client with the caller’s token (the user owns it) and passes it to the chart', async () => {
    const res = await install({ host: 'wiki.apps.example.org' });
    expect(res.status).toBe(200);
    id = String(res.json.id);
    expect(res.json.values).toEqual({ host: 'wiki.apps.example.org' });
    const [client, ...others] = [...double.clients.values()];
    expect(others).toEqual([]);
    clientId = client!.id;
    expect(client).toMatchObject({
      name: `appstore-${id}`,
      owner: ALICE,
      redirect_uri: ['https://wiki.apps.example.org/oauth2/callback'],
      scopes_requested: ['openid', 'profile', 'email', 'groups'],
    });
    expect(double.requests.filter((r) => r.method === 'POST')).toEqual([{ method: 'POST', path: '/clients/', user: ALICE }]);
    const configMap = await kube.core.readNamespacedConfigMap({ name: `${id}-oidc-app`, namespace });
    expect(configMap.data?.client_id).toBe(clientId);
    expect(await clientSecretOf(id)).toBe(client!.client_secret);
    expect((await storedRecord(id))?.provisioned).toMatchObject({
      provisioner: 'dataporten',
      clientId,
      owner: ALICE,
      location: `${double.url}/clients/${clientId}`,
      state: 'active',
    });
  });

  test('status shows the client id; the release document does not', async () => {
    const status = await call('GET', `/releases/${id}/status`, { user: 'alice' });
    expect(status.json.dataporten).toEqual({ client_id: clientId, state: 'active' });
    const release = await call('GET', `/releases/${id}`, { user: 'alice' });
    expect(release.text).not.toContain(clientId);
    expect(release.text).not.toContain('appstore_generated_data');
  });

  test('upgrade with a new host PATCHes the client’s redirect URIs; its secret stays', async () => {
    const secret = await clientSecretOf(id);
    const res = await call('PATCH', `/releases/${id}`, { user: 'alice', body: { values: { host: 'docs.apps.example.org' } } });
    expect(res.status).toBe(200);
    expect(double.clients.get(clientId)?.redirect_uri).toEqual(['https://docs.apps.example.org/oauth2/callback']);
    expect(double.requests.at(-1)).toEqual({ method: 'PATCH', path: `/clients/${clientId}`, user: ALICE });
    expect(await clientSecretOf(id)).toBe(secret);
    expect((await kube.core.readNamespacedConfigMap({ name: `${id}-oidc-app`, namespace })).data?.client_id).toBe(clientId);
  });

  test('clientadm lets only the owner change the client: a group member’s host change is refused (403) and nothing changes', async () => {
    const res = await call('PATCH', `/releases/${id}`, { user: 'bob', body: { values: { host: 'bob.apps.example.org' } } });
    expect(res.status).toBe(403);
    expect(res.json.detail).toMatch(/Dataporten clientadm refused/);
    expect(double.clients.get(clientId)?.redirect_uri).toEqual(['https://docs.apps.example.org/oauth2/callback']);
    expect((await call('GET', `/releases/${id}`, { user: 'alice' })).json.values).toEqual({ host: 'docs.apps.example.org' });
  });

  test('the provisioner describes the client as clientadm has it, and undefined for none', async () => {
    const provisioner = new ClientadmProvisioner({ baseUrl: double.url, timeoutMs: 5000 });
    const handle = { clientId, location: '', owner: ALICE, scopes: [] };
    expect(await provisioner.describe({ handle, secrets: {} }, { callerToken: USERS.alice.token })).toEqual({
      clientId,
      scopes: ['openid', 'profile', 'email', 'groups'],
      redirectUris: ['https://docs.apps.example.org/oauth2/callback'],
    });
    expect(await provisioner.describe({ handle: { ...handle, clientId: 'no-such-client' }, secrets: {} }, { callerToken: USERS.alice.token })).toBeUndefined();
    // Without a caller's token and without a configured one, clientadm is not called at all.
    await expect(provisioner.describe({ handle, secrets: {} }, {})).rejects.toMatchObject({ code: 'FailedPrecondition' });
  });

  test('delete removes the client with the caller’s token', async () => {
    expect((await call('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
    expect(double.clients.has(clientId)).toBe(false);
    expect(double.requests.at(-1)).toEqual({ method: 'DELETE', path: `/clients/${clientId}`, user: ALICE });
    expect(await storeSecrets()).toEqual([]);
  });
});

describe('when clientadm fails', () => {
  afterEach(() => double.setMode('ok'));

  test.each(['error', 'down'] as const)('clientadm %s: the install is 503 before anything is installed', async (mode) => {
    double.setMode(mode);
    const res = await install({ host: 'x.example.org' });
    expect(res.status).toBe(503);
    expect(res.json.detail).toMatch(/Dataporten clientadm is unavailable/);
    expect(await tillerReleases()).toEqual([]);
    expect(await storeSecrets()).toEqual([]);
  });

  test('a delete while clientadm is down keeps the release until reconciliation has deleted its client', async () => {
    const res = await install({ host: 'y.example.org' });
    expect(res.status).toBe(200);
    const id = String(res.json.id);
    const clientId = (await storedRecord(id))!.provisioned!.clientId as string;
    double.setMode('down');
    const deleted = await call('DELETE', `/releases/${id}`, { user: 'alice' });
    expect(deleted.status).toBe(503);
    expect(deleted.json.detail).toMatch(/could not be removed yet/);
    expect(await tillerReleases()).toEqual([]);
    expect((await call('GET', `/releases/${id}`, { user: 'alice' })).status).toBe(404);
    expect(await storedRecord(id)).toMatchObject({ state: 'deleting', provisioned: { clientId, state: 'delete-pending' } });

    // Still down: reconciliation keeps the record.
    expect((await running.store.reconcile()).actions).toContainEqual({ id, action: 'client-removal-pending' });
    expect(await storedRecord(id)).toBeDefined();

    double.setMode('ok');
    expect((await running.store.reconcile()).actions).toContainEqual({ id, action: 'completed-delete' });
    expect(double.clients.has(clientId)).toBe(false);
    // Without a caller, reconciliation acted with the store's configured token.
    expect(double.requests.at(-1)).toEqual({ method: 'DELETE', path: `/clients/${clientId}`, user: SERVICE });
    expect(await storedRecord(id)).toBeUndefined();
    expect(await storeSecrets()).toEqual([]);
  });
});

describe('over gRPC', () => {
  test('the caller’s bearer metadata is the token clientadm acts with; GetReleaseStatus carries the client', async () => {
    const grpc = new AppStoreClient(running.grpcAddress, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${USERS.bob.token}`);
    const unary = <Req, Res>(method: (r: Req, m: Metadata, cb: (e: Error | null, res: Res) => void) => unknown, request: Req) =>
      new Promise<Res>((resolve, reject) => method.call(grpc, request, metadata, (e, res) => (e ? reject(e) : resolve(res))));
    try {
      const installed: InstallReleaseResponse = await unary(grpc.installRelease, {
        application: 'sample/oidc-app',
        version: '0.1.0',
        namespace,
        adminGroups: [],
        development: false,
        values: { host: 'grpc.apps.example.org' },
        dryRun: false,
      });
      const id = installed.release!.id;
      const client = [...double.clients.values()].find((c) => c.name === `appstore-${id}`);
      expect(client).toMatchObject({ owner: BOB, redirect_uri: ['https://grpc.apps.example.org/oauth2/callback'] });
      const status: ReleaseStatus = await unary(grpc.getReleaseStatus, { id });
      expect(status.dataporten).toEqual({ clientId: client!.id, state: 'active' });
      await unary(grpc.deleteRelease, { id });
      expect(double.clients.has(client!.id)).toBe(false);
      expect(double.requests.at(-1)).toEqual({ method: 'DELETE', path: `/clients/${client!.id}`, user: BOB });
    } finally {
      grpc.close();
    }
  });
});
