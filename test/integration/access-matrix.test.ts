/**
 * Who may do what to a release, over every release endpoint: its owner, a
 * member of one of its adminGroups, a stranger (a user), and a Kubernetes
 * service account (a real token, checked by TokenReview). The owner and the
 * member may do everything; to the others the release does not exist (404,
 * never 403, so its existence does not leak) and it is not in their lists.
 */
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, kubeClients } from './kube.js';
import { api, startStore, USERS, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-matrix';
const saNamespace = 'matrix-clients';
let running: RunningStore;
let call: ReturnType<typeof api>;
let saToken = '';

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  await ensureNamespace(kube, saNamespace);
  await kube.core.createNamespacedServiceAccount({ namespace: saNamespace, body: { metadata: { name: 'deployer' } } }).catch(() => undefined);
  const request = await kube.core.createNamespacedServiceAccountToken({
    name: 'deployer',
    namespace: saNamespace,
    body: { spec: { audiences: ['appstore'], expirationSeconds: 600 } },
  });
  saToken = request.status?.token ?? '';
  running = await startStore(env, {
    namespace: 'appstore-matrix',
    deployNamespaces: [namespace],
    extraEnv: { APPSTORE_AUTHENTICATORS: 'static,serviceaccount' },
  });
  call = api(running.url);
});

afterAll(() => running?.stop());

type Caller = 'owner' | 'member' | 'stranger' | 'serviceaccount';
const tokenOf = (caller: Caller) =>
  ({ owner: USERS.alice.token, member: USERS.bob.token, stranger: USERS.carol.token, serviceaccount: saToken })[caller];

async function freshRelease(): Promise<string> {
  const res = await call('POST', '/releases', {
    user: 'alice',
    body: { application: 'sample/hello', version: '1.0.0', namespace, adminGroups: ['fc:org:example.org'] },
  });
  expect(res.status).toBe(200);
  return String(res.json.id);
}

const endpoints: Array<[string, (id: string) => [string, string, unknown?]]> = [
  ['GET /releases/{id}', (id) => ['GET', `/releases/${id}`]],
  ['GET /releases/{id}/status', (id) => ['GET', `/releases/${id}/status`]],
  ['GET /releases/{id}/history', (id) => ['GET', `/releases/${id}/history`]],
  ['PATCH /releases/{id}', (id) => ['PATCH', `/releases/${id}`, { version: '1.1.0' }]],
  ['POST /releases/{id}/rollback', (id) => ['POST', `/releases/${id}/rollback`, { revision: 1 }]],
  ['DELETE /releases/{id}', (id) => ['DELETE', `/releases/${id}`]],
];

describe.each<Caller>(['stranger', 'serviceaccount'])('a %s', (caller) => {
  let id = '';
  beforeAll(async () => {
    id = await freshRelease();
  });

  test.each(endpoints)('gets 404 from %s, and the release is untouched', async (_name, request) => {
    const [method, path, body] = request(id);
    const res = await call(method, path, { token: tokenOf(caller), body });
    expect(res.status).toBe(404);
    expect(res.json.detail).toBe(`release ${id} not found`);
    const seen = await call('GET', `/releases/${id}`, { user: 'alice' });
    expect(seen.json).toMatchObject({ id, version: '1.0.0' });
  });

  test('does not find it in GET /releases', async () => {
    const res = await call('GET', '/releases', { token: tokenOf(caller) });
    expect(res.status).toBe(200);
    expect((res.json as Array<{ id: string }>).map((r) => r.id)).not.toContain(id);
  });
});

describe.each<Caller>(['owner', 'member'])('the %s', (caller) => {
  let id = '';
  beforeAll(async () => {
    id = await freshRelease();
  });

  test('may read, list, upgrade, roll back and delete it', async () => {
    const token = tokenOf(caller);
    expect((await call('GET', `/releases/${id}`, { token })).status).toBe(200);
    expect((await call('GET', `/releases/${id}/status`, { token })).status).toBe(200);
    expect((await call('GET', `/releases/${id}/history`, { token })).status).toBe(200);
    expect(((await call('GET', '/releases', { token })).json as Array<{ id: string }>).map((r) => r.id)).toContain(id);
    expect((await call('PATCH', `/releases/${id}`, { token, body: { version: '1.1.0' } })).json.version).toBe('1.1.0');
    expect((await call('POST', `/releases/${id}/rollback`, { token, body: { revision: 1 } })).json.version).toBe('1.0.0');
    expect((await call('DELETE', `/releases/${id}`, { token })).status).toBe(204);
  });
});

test('the service account is recognised (it may list, and is refused deploying outside its namespaces)', async () => {
  const list = await call('GET', '/releases', { token: saToken });
  expect(list.status).toBe(200);
  const install = await call('POST', '/releases', { token: saToken, body: { application: 'sample/hello', namespace } });
  expect(install.status).toBe(403);
});
