/**
 * Fault injection: kube-apiserver restarted under a running store. While it
 * is down a status call answers a clear 503 (problem+json); once it is back
 * the same store answers 200 again, without being restarted.
 */
import { fault } from '../harness/fault-control.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, eventually, kubeClients } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-faults-apiserver';
const storeNamespace = 'appstore-faults-apiserver';
let running: RunningStore;
let call: ReturnType<typeof api>;
let id = '';

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  running = await startStore(env, { namespace: storeNamespace, deployNamespaces: [namespace] });
  call = api(running.url);
  const res = await call('POST', '/releases', { user: 'alice', body: { application: 'sample/hello', version: '1.0.0', namespace } });
  expect(res.status).toBe(200);
  id = String(res.json.id);
  expect((await call('GET', `/releases/${id}/status`, { user: 'alice' })).status).toBe(200);
});

afterAll(async () => {
  await fault(env.controlUrl, 'apiserver/start').catch(() => undefined);
  if (id) await call('DELETE', `/releases/${id}`, { user: 'alice' }).catch(() => undefined);
  await running?.stop();
});

describe('kube-apiserver restarted during status calls', () => {
  afterAll(async () => {
    await fault(env.controlUrl, 'apiserver/start').catch(() => undefined);
  });

  test('while it is down, a status call answers a clear 503 (problem+json), quickly', async () => {
    // One status call races the shutdown (see the known bug below for what it may answer).
    const racing = call('GET', `/releases/${id}/status`, { user: 'alice' });
    await fault(env.controlUrl, 'apiserver/stop');
    const raced = await racing;
    console.log(`faults-apiserver: the status call racing the shutdown answered ${raced.status}: ${raced.text.slice(0, 300)}`);

    const started = Date.now();
    const down = await call('GET', `/releases/${id}/status`, { user: 'alice' });
    const elapsed = Date.now() - started;
    expect({ status: down.status, type: down.headers.get('content-type') }).toEqual({
      status: 503,
      type: expect.stringContaining('application/problem+json') as string,
    });
    expect(down.json).toMatchObject({ status: 503, code: 'Unavailable' });
    // The record may still be read from the watch-fed cache (its watch has not failed yet): then the release's stored
    // revision, read through Tiller once its storage cannot be read, is what fails.
    expect(down.json.detail).toMatch(/Kubernetes API server is unavailable|cannot reach the Kubernetes API server/);
    expect(elapsed).toBeLessThan(15_000);
    console.log(`faults-apiserver: status while down answered ${down.status} in ${elapsed} ms`);
  });

  // Tiller reports that it cannot reach the API server as gRPC UNKNOWN "... dial tcp ...:
  // connect: connection refused"; the store answers that as an outage (503), not a 500.
  test('Tiller failing to reach the API server is Unavailable (503), not Internal', async () => {
    await expect(running.store.tiller.content(id)).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringMatching(/cannot reach the Kubernetes API server/) as string,
    });
  });

  test('after it restarts, the same store answers 200 again', async () => {
    await fault(env.controlUrl, 'apiserver/start');
    const started = Date.now();
    const back = await eventually(
      'status 200 again',
      async () => {
        const res = await call('GET', `/releases/${id}/status`, { user: 'alice' });
        return res.status === 200 ? res : undefined;
      },
      60_000,
    );
    expect(back.json).toMatchObject({ namespace, status: 'DEPLOYED' });
    expect((await call('GET', '/readyz')).status).toBe(200);
    console.log(`faults-apiserver: status 200 again ${Date.now() - started} ms after the API server was ready`);
  }, 120_000);
});
