/**
 * GET /metrics of the store composed on the real peers, after REST and gRPC
 * calls, an install through Tiller and a Tiller call that fails: request
 * counts by route pattern and code, Tiller durations and errors, the
 * catalog's refresh age, the release count and the process metrics.
 */
import { credentials, Metadata } from '@grpc/grpc-js';
import { AppStoreClient } from '../../gen/appstore/v1/appstore.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, kubeClients } from './kube.js';
import { api, startStore, USERS, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-operate-metrics';
let running: RunningStore;
let call: ReturnType<typeof api>;
let text = '';
let id = '';

/** The value of one sample of the exposition text, by metric name and labels (in any order). */
function sample(name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(match[3]);
  }
  return undefined;
}

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  running = await startStore(env, { namespace: 'appstore-operate-metrics', deployNamespaces: [namespace] });
  call = api(running.url);

  expect((await call('GET', '/packages')).status).toBe(200);
  expect((await call('GET', '/packages/sample/hello')).status).toBe(200);
  const installed = await call('POST', '/releases', { user: 'alice', body: { application: 'sample/hello', version: '1.0.0', namespace } });
  expect(installed.status).toBe(200);
  id = String(installed.json.id);
  expect((await call('GET', `/releases/${id}`, { user: 'alice' })).status).toBe(200);
  expect((await call('GET', `/releases/${id}`, { user: 'carol' })).status).toBe(404);
  // Tiller knows no revision 99: a failed Tiller call.
  expect((await call('POST', `/releases/${id}/rollback`, { user: 'alice', body: { revision: 99 } })).status).toBe(422);
  expect((await call('GET', '/no/such/route')).status).toBe(404);

  const client = new AppStoreClient(running.grpcAddress, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${USERS.alice.token}`);
  await new Promise((resolve, reject) => client.listPackages({ query: '', deprecated: false, repo: '', keyword: '', limit: 0, offset: 0 }, (err, res) => (err ? reject(err) : resolve(res))));
  await new Promise((resolve) => client.getRelease({ id: 'no-such-release' }, metadata, (err) => resolve(err)));
  client.close();
  // The full reconciliation pass (every 5 minutes) lists Tiller's releases; the short one at start asks Tiller nothing
  // when no record is pending or deleting.
  await running.store.reconcile();

  const res = await call('GET', '/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  text = res.text;
});

afterAll(async () => {
  if (id) await call('DELETE', `/releases/${id}`, { user: 'alice' });
  await running?.stop();
});

test('REST requests are counted and timed by method, route pattern and status', () => {
  expect(sample('appstore_http_requests_total', { method: 'POST', route: '/releases', status: '200' })).toBe(1);
  expect(sample('appstore_http_requests_total', { method: 'GET', route: '/releases/:id', status: '200' })).toBe(1);
  expect(sample('appstore_http_requests_total', { method: 'GET', route: '/releases/:id', status: '404' })).toBe(1);
  expect(sample('appstore_http_requests_total', { method: 'GET', route: '/packages/:repo/:name', status: '200' })).toBe(1);
  expect(sample('appstore_http_requests_total', { method: 'POST', route: '/releases/:id/rollback', status: '422' })).toBe(1);
  expect(sample('appstore_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
  // No raw path becomes a label.
  expect(text).not.toContain(`route="/releases/${id}"`);
  expect(sample('appstore_http_request_duration_seconds_count', { method: 'POST', route: '/releases', status: '200' })).toBe(1);
  expect(sample('appstore_http_request_duration_seconds_sum', { method: 'POST', route: '/releases', status: '200' })).toBeGreaterThan(0.1);
});

test('gRPC calls are counted and timed by method and code', () => {
  expect(sample('appstore_grpc_calls_total', { method: 'ListPackages', code: 'OK' })).toBe(1);
  expect(sample('appstore_grpc_calls_total', { method: 'GetRelease', code: 'NOT_FOUND' })).toBe(1);
  expect(sample('appstore_grpc_call_duration_seconds_count', { method: 'ListPackages', code: 'OK' })).toBe(1);
});

test('Tiller calls are timed by operation; the failed one is counted as an error', () => {
  expect(sample('appstore_tiller_call_duration_seconds_count', { operation: 'install', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
  expect(sample('appstore_tiller_call_duration_seconds_sum', { operation: 'install', outcome: 'ok' })).toBeGreaterThan(0.05);
  expect(sample('appstore_tiller_call_errors_total', { operation: 'content', code: 'NotFound' })).toBe(1);
  // Readiness of the store (started above) asked Tiller's version, the full reconciliation pass listed its releases.
  expect(sample('appstore_tiller_call_duration_seconds_count', { operation: 'list', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
});

test('the catalog: ready, refreshed moments ago, no failures', () => {
  expect(sample('appstore_catalog_ready')).toBe(1);
  expect(sample('appstore_catalog_packages')).toBeGreaterThan(0);
  expect(sample('appstore_catalog_refresh_age_seconds', { repo: 'sample' })).toBeLessThan(120);
  expect(sample('appstore_catalog_refresh_failures_total')).toBe(0);
  expect(sample('appstore_catalog_repo_failing', { repo: 'sample' })).toBe(0);
});

test('the release count comes from the records', () => {
  expect(sample('appstore_releases', { state: 'deployed' })).toBe(1);
  expect(sample('appstore_releases', { state: 'pending' })).toBe(0);
});

test('process metrics are exposed', () => {
  expect(sample('process_cpu_user_seconds_total')).toBeGreaterThan(0);
  expect(sample('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
});
