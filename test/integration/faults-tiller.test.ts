/**
 * Fault injection: Tiller killed while an install is in flight. The caller
 * gets a 5xx quickly, and once Tiller is back and the store reconciles, the
 * release either exists in Tiller with a deployed record, or is gone
 * everywhere (no record, no Tiller release).
 */
import { SecretReleaseStore } from '../../src/kube/release-store.js';
import { ALL_STATUS_CODES, ReleaseStatusCode } from '../../src/tiller/index.js';
import { fault } from '../harness/fault-control.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, eventually, kubeClients } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-faults-tiller';
const storeNamespace = 'appstore-faults-tiller';
let running: RunningStore;
let call: ReturnType<typeof api>;
let records: SecretReleaseStore;

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  running = await startStore(env, { namespace: storeNamespace, deployNamespaces: [namespace] });
  call = api(running.url);
  records = new SecretReleaseStore(kube.core, storeNamespace);
});

afterAll(async () => {
  await fault(env.controlUrl, 'tiller/start').catch(() => undefined);
  await running?.stop();
});

const tillerReleases = () =>
  running.store.tiller.list({ namespace, statusCodes: ALL_STATUS_CODES }).then((list) => list.filter((r) => r.namespace === namespace));
const ourRecords = () => records.list().then((list) => list.filter((r) => r.namespace === namespace));

async function restartTiller(): Promise<void> {
  await fault(env.controlUrl, 'tiller/start');
  await eventually('the store to reach Tiller again', () => running.store.tiller.version().then(() => true, () => undefined), 30_000);
}

const tillerHasRecord = async (): Promise<boolean> => {
  const pending = (await ourRecords()).find((r) => r.state === 'pending');
  if (!pending) return false;
  // Tiller stores releases in its own namespace; a Helm engine in the release's, as the Helm CLI does.
  const secrets =
    env.cluster.engine === 'tiller'
      ? await kube.core.listNamespacedSecret({ namespace: env.cluster.tillerNamespace, labelSelector: `NAME=${pending.id},OWNER=TILLER` })
      : await kube.core.listNamespacedSecret({ namespace, labelSelector: `owner=helm,name=${pending.id}` });
  return secrets.items.length > 0;
};

test.each([
  ['once the store has recorded the pending install', async () => (await ourRecords()).some((r) => r.state === 'pending')],
  ['once Tiller has stored the release (mid-install)', tillerHasRecord],
])('Tiller killed during an install, %s: a quick 5xx, then reconciliation leaves a consistent state', async (when, reached) => {
  expect(await tillerReleases()).toEqual([]);
  expect(await ourRecords()).toEqual([]);

  // The kill must land while the install is in flight. If Tiller finished the
  // install first anyway (the caller got 200), clean up and try again.
  let res: Awaited<ReturnType<typeof call>> | undefined;
  let elapsed = 0;
  let attempts = 0;
  for (; attempts < 10; attempts++) {
    const started = Date.now();
    const install = call('POST', '/releases', { user: 'alice', body: { application: 'sample/hello', version: '1.0.0', namespace } });
    let answered = false;
    void install.then(() => (answered = true));
    while (!answered && !(await reached())) await new Promise((r) => setTimeout(r, 10));
    const killed = !answered;
    if (killed) await fault(env.controlUrl, 'tiller/kill');
    res = await install;
    elapsed = Date.now() - started;
    if (killed && res.status !== 200) break;
    expect(res.status).toBe(200);
    if (killed) await restartTiller();
    expect((await call('DELETE', `/releases/${String(res.json.id)}`, { user: 'alice' })).status).toBe(204);
  }
  if (!res || res.status === 200) throw new Error(`the kill never landed during the install in ${attempts} attempts`);
  expect({ status: res.status, type: res.headers.get('content-type'), body: res.json }).toMatchObject({
    type: expect.stringContaining('application/problem+json') as string,
  });
  expect(res.status).toBeGreaterThanOrEqual(500);
  expect(res.status).toBeLessThan(600);
  expect(elapsed).toBeLessThan(15_000);

  await restartTiller();
  const report = await running.store.reconcile();

  const recs = await ourRecords();
  const releases = await tillerReleases();
  // Tiller v2 never resumes an install whose Tiller was killed (PENDING_INSTALL): reconciliation, holding the
  // release's lock, knows no install is in flight and purges it.
  const stuck = releases.find((r) => r.info?.status?.code === ReleaseStatusCode.PENDING_INSTALL);
  expect(stuck).toBeUndefined();
  let outcome = report.actions.some((a) => a.action === 'purged-failed-install') ? 'abandoned install purged; ' : '';

  // Either both sides hold the one release, deployed, or neither holds anything.
  expect(recs.length).toBeLessThanOrEqual(1);
  expect(recs.map((r) => [r.id, r.state])).toEqual(releases.map((r) => [r.name, 'deployed']));
  for (const release of releases) expect(release.info?.status?.code).toBe(ReleaseStatusCode.DEPLOYED);
  outcome += recs.length ? `kept ${recs[0]?.id ?? ''}` : 'gone everywhere';

  // Whatever was left is usable through the API and can be removed.
  for (const rec of recs) {
    const status = await call('GET', `/releases/${rec.id}/status`, { user: 'alice' });
    expect(status.status).toBe(200);
    expect(status.json.status).toBe('DEPLOYED');
    expect((await call('DELETE', `/releases/${rec.id}`, { user: 'alice' })).status).toBe(204);
  }
  console.log(`faults-tiller (${when}): install answered ${res.status} in ${elapsed} ms (attempt ${attempts + 1}); after reconcile: ${outcome}`);
}, 180_000);
