/**
 * Graceful shutdown of the real store process: SIGTERM while an install is
 * in flight. The store reaches Tiller through a TCP proxy of this test that
 * can hold Tiller's answers, so "in flight" is certain rather than a matter
 * of timing: the install is recorded and asking Tiller, the store waits. The store stops
 * accepting at once, lets the install finish once Tiller answers (the call
 * answers 200/OK, the release is deployed in Tiller and recorded), closes its
 * Tiller connection and exits 0. Its log lines of that install (the HTTP
 * request, the Tiller call, the audit record) carry the request id.
 */
import { randomBytes } from 'node:crypto';
import { credentials, Metadata } from '@grpc/grpc-js';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { AppStoreClient, type InstallReleaseResponse } from '../../gen/appstore/v1/appstore.js';
import { SecretReleaseStore } from '../../src/kube/release-store.js';
import { ReleaseStatusCode, TillerClient } from '../../src/tiller/index.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, kubeClients } from './kube.js';
import { startChildStore, startTillerProxy, type ChildStore, type TillerProxy } from './operate-child-store.js';
import { USERS } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-operate-shutdown';
const storeNamespace = 'appstore-operate-shutdown';
const tiller = new TillerClient(env.cluster.helmHost);
const records = new SecretReleaseStore(kube.core, storeNamespace);
let proxy: TillerProxy;
let store: ChildStore | undefined;

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  proxy = await startTillerProxy(env.cluster.helmHost);
});

beforeEach(async () => {
  proxy.release();
  store = await startChildStore(env, { namespace: storeNamespace, deployNamespaces: [namespace], extraEnv: { HELM_HOST: proxy.address } });
});

afterEach(async () => {
  proxy.release();
  await store?.kill();
});

afterAll(async () => {
  await proxy?.close();
  tiller.close();
});

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Whether a promise has settled (without waiting for it). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  return (await Promise.race([promise.then(() => true, () => true), new Promise((r) => setImmediate(() => r(marker)))])) !== marker;
}

/**
 * With Tiller's answers held, waits until the store is installing a new release and SIGTERMs the store. The record
 * is written (pending) just before Tiller is asked: first for the render the tenancy check reads (a dry run, whose
 * answer the proxy holds), then for the install itself, which therefore happens during the shutdown.
 */
async function terminateDuringInstall(running: ChildStore, before: ReadonlySet<string>): Promise<string> {
  await until('the install to be recorded', async () => (await records.list()).some((r) => !before.has(r.id)), 30_000);
  const pending = (await records.list()).find((r) => !before.has(r.id))!;
  expect(pending.state).toBe('pending');
  running.process.kill('SIGTERM');
  await until('the store to start shutting down', () => running.logs.some((l) => String(l.msg).startsWith('shutting down')), 10_000);
  return pending.id;
}

test('SIGTERM during an install: the install completes, new requests are refused, the process exits 0', async () => {
  const running = store!;
  const before = new Set((await records.list()).map((r) => r.id));
  const requestId = `shutdown-${randomBytes(4).toString('hex')}`;
  proxy.hold();
  const install = fetch(`${running.url}/releases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${USERS.alice.token}`, 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ application: 'sample/hello', version: '1.0.0', namespace, values: { message: 'through a shutdown' } }),
  });
  const id = await terminateDuringInstall(running, before);

  // A new request is refused: nothing listens any more (ECONNREFUSED); an idle kept-alive connection
  // is closed without an answer (UND_ERR_SOCKET); a request that made it onto one is answered 503.
  const late = await fetch(`${running.url}/healthz`).then((r) => r.status, (err: Error) => (err.cause as { code?: string } | undefined)?.code ?? err.message);
  expect([503, 'ECONNREFUSED', 'UND_ERR_SOCKET']).toContain(late);
  // The install still waits for Tiller, and the store for the install.
  await new Promise((r) => setTimeout(r, 500));
  expect(await settled(install)).toBe(false);
  expect(running.process.exitCode).toBeNull();

  proxy.release();
  const answer = await install;
  expect(answer.status).toBe(200);
  const body = (await answer.json()) as { id: string; values: Record<string, unknown> };
  expect(body).toMatchObject({ id, values: { message: 'through a shutdown' } });
  expect(await running.exited).toBe(0);

  expect((await tiller.content(id)).info?.status?.code).toBe(ReleaseStatusCode.DEPLOYED);
  expect((await records.get(id))?.state).toBe('deployed');
  // The release's Lease was given back.
  const kc = new KubeConfig();
  kc.loadFromFile(env.cluster.kubeconfig);
  const leases = await kc.makeApiClient(CoordinationV1Api).listNamespacedLease({ namespace: storeNamespace });
  expect(leases.items.map((l) => l.metadata?.name)).toEqual([]);

  // One request id from REST through the service to Tiller and the audit trail.
  expect(running.logs.filter((l) => l.requestId === requestId)).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ msg: 'tiller call', operation: 'install' }),
      expect.objectContaining({ audit: true, action: 'install', outcome: 'succeeded', release: id }),
      expect.objectContaining({ msg: 'http request', method: 'POST', status: 200 }),
    ]),
  );
  expect(running.logs.at(-1)).toMatchObject({ msg: 'stopped', cut: false });
});

test('SIGTERM during a gRPC install: the call completes OK and the process exits 0', async () => {
  const running = store!;
  const before = new Set((await records.list()).map((r) => r.id));
  const client = new AppStoreClient(running.grpcAddress, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${USERS.alice.token}`);
  const request = { application: 'sample/hello', version: '1.0.0', namespace, adminGroups: [], development: false, values: undefined, dryRun: false };
  try {
    proxy.hold();
    const installed = new Promise<InstallReleaseResponse>((resolve, reject) =>
      client.installRelease(request, metadata, (err, res) => (err ? reject(err) : resolve(res))),
    );
    const id = await terminateDuringInstall(running, before);
    await new Promise((r) => setTimeout(r, 500));
    expect(await settled(installed)).toBe(false);
    proxy.release();
    expect((await installed).release?.id).toBe(id);
    expect(await running.exited).toBe(0);
    expect((await tiller.content(id)).info?.status?.code).toBe(ReleaseStatusCode.DEPLOYED);
    expect((await records.get(id))?.state).toBe('deployed');
  } finally {
    client.close();
  }
});

test('an idle store exits 0 at once on SIGTERM', async () => {
  const running = store!;
  const started = Date.now();
  running.process.kill('SIGTERM');
  expect(await running.exited).toBe(0);
  expect(Date.now() - started).toBeLessThan(5_000);
});
