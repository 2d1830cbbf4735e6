/**
 * One tenant cannot outgrow or starve the others: release quotas per user and
 * per group refuse an install before anything is made, GET /me and GetMe show
 * the usage, and a user with as many changes in flight as allowed is told 429
 * (RESOURCE_EXHAUSTED over gRPC) while another user's change and every read
 * proceed. The store composed as in production, on the real Tiller v2.17 and
 * kube-apiserver.
 */
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { AppStoreClient, type Me } from '../../gen/appstore/v1/appstore.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, kubeClients } from './kube.js';
import { api, startStore, USERS, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-limits';
const storeNamespace = 'appstore-limits';
const shared = 'fc:org:example.org';
let running: RunningStore;
let call: ReturnType<typeof api>;
let client: AppStoreClient;
const installed: Array<{ id: string; user: keyof typeof USERS }> = [];

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  running = await startStore(env, {
    namespace: storeNamespace,
    deployNamespaces: [namespace],
    extraEnv: {
      APPSTORE_QUOTA_RELEASES_PER_USER: '2',
      APPSTORE_QUOTA_RELEASES_PER_GROUP: '3',
      APPSTORE_MAX_CHANGES_IN_FLIGHT_PER_USER: '1',
    },
  });
  call = api(running.url);
  client = new AppStoreClient(running.grpcAddress, credentials.createInsecure());
});

afterAll(async () => {
  for (const { id, user } of installed) await call('DELETE', `/releases/${id}`, { user });
  client?.close();
  await running?.stop();
});

const hello = { application: 'sample/hello', version: '1.0.0', namespace };

async function install(user: keyof typeof USERS, adminGroups: string[] = []) {
  const res = await call('POST', '/releases', { user, body: { ...hello, adminGroups } });
  if (res.status === 200) installed.push({ id: String(res.json.id), user });
  return res;
}

/** What exists: the store's records and Tiller's releases in the namespace. */
async function made() {
  const records = await kube.core.listNamespacedSecret({ namespace: storeNamespace });
  const releases = await running.store.tiller.list({ namespace });
  return { records: records.items.map((s) => s.metadata?.name).sort(), releases: releases.map((r) => r.name).sort() };
}

function getMe(user: keyof typeof USERS): Promise<Me> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${USERS[user].token}`);
  return new Promise((resolve, reject) => {
    client.getMe({}, metadata, { deadline: Date.now() + 30_000 }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

describe('GET /me and GetMe', () => {
  test("answer the caller's id, groups, namespaces and quota usage, with nothing installed yet", async () => {
    const res = await call('GET', '/me', { user: 'alice' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      id: 'alice',
      groups: [...USERS.alice.groups],
      namespaces: [namespace],
      quotas: {
        releases: { used: 0, limit: 2 },
        groups: USERS.alice.groups.map((group) => ({ group, used: 0, limit: 3 })),
      },
    });
    expect((await call('GET', '/me')).status).toBe(401);
  });
});

describe('release quotas', () => {
  test('a user at the per-user quota is refused with 403 naming the quota, and nothing is made', async () => {
    expect((await install('alice', [shared])).status).toBe(200);
    expect((await install('alice', [shared])).status).toBe(200);
    const before = await made();
    const refused = await install('alice');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.json).toMatchObject({
      code: 'PermissionDenied',
      detail: expect.stringMatching(/quota releases-per-user .*alice owns 2 releases and the limit is 2/),
      quota: { name: 'releases-per-user', limit: 2, used: 2 },
    });
    expect(await made()).toEqual(before);
    const me = await call('GET', '/me', { user: 'alice' });
    expect(me.json.quotas).toEqual({
      releases: { used: 2, limit: 2 },
      groups: [
        { group: shared, used: 2, limit: 3 },
        { group: 'fc:adhoc:team-a', used: 0, limit: 3 },
      ],
    });
  });

  test('an install naming a group at the per-group quota is refused with 403 naming the group; without it, it proceeds', async () => {
    expect((await install('bob', [shared])).status).toBe(200);
    const before = await made();
    const refused = await install('bob', [shared]);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({
      detail: expect.stringMatching(new RegExp(`quota releases-per-group reached: 3 releases name group ${shared}.* limit is 3`)),
      quota: { name: 'releases-per-group', group: shared, limit: 3, used: 3 },
    });
    expect(await made()).toEqual(before);
    expect((await install('bob')).status).toBe(200);
  });

  test('GetMe answers the same usage over gRPC', async () => {
    const me = await getMe('bob');
    expect(me).toMatchObject({
      id: 'bob',
      groups: [shared],
      namespaces: [namespace],
      quotas: { releases: { used: 2, limit: 2 }, groups: [{ group: shared, used: 3, limit: 3 }] },
    });
  });
});

describe('changes in flight per user', () => {
  test("a user over the limit gets 429 with Retry-After while another user's change and reads proceed", async () => {
    const [flood, victim, reads] = await Promise.all([
      Promise.all(Array.from({ length: 4 }, () => install('carol'))),
      // alice's change: a delete of one of her releases.
      deleteOne('alice'),
      Promise.all([call('GET', '/releases', { user: 'alice' }), call('GET', '/me', { user: 'bob' }), call('GET', '/packages')]),
    ]);
    const statuses = flood.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    const tooMany = flood.filter((r) => r.status === 429);
    expect(tooMany).toHaveLength(3);
    for (const res of tooMany) {
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(res.json).toMatchObject({ code: 'ResourceExhausted', detail: expect.stringMatching(/carol already has 1 changes in flight/) });
    }
    expect(victim).toBe(204);
    expect(reads.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  test('over gRPC the refusal is RESOURCE_EXHAUSTED', async () => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${USERS.carol.token}`);
    const attempt = () =>
      new Promise<ServiceError | null>((resolve) => {
        client.deleteRelease({ id: installed.find((r) => r.user === 'carol')?.id ?? '' }, metadata, { deadline: Date.now() + 60_000 }, (error) => resolve(error));
      });
    const errors = await Promise.all([attempt(), attempt()]);
    // One delete is admitted (and deletes), the other is refused at once; neither is an error of another kind.
    const codes = errors.map((e) => e?.code ?? status.OK).sort();
    expect(codes).toEqual([status.OK, status.RESOURCE_EXHAUSTED].sort());
    const refused = errors.find((e) => e?.code === status.RESOURCE_EXHAUSTED);
    expect(refused?.metadata.get('retry-after')[0]).toMatch(/^\d+$/);
    installed.splice(installed.findIndex((r) => r.user === 'carol'), 1);
  });
});

/** Deletes one of the user's releases; the HTTP status. */
async function deleteOne(user: keyof typeof USERS): Promise<number> {
  const index = installed.findIndex((r) => r.user === user);
  const { id } = installed.splice(index, 1)[0]!;
  return (await call('DELETE', `/releases/${id}`, { user })).status;
}
