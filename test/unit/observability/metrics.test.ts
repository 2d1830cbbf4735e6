/**
 * The metrics registry: what each instrument records and under which
 * labels, read back through prom-client's own JSON view of the registry.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { httpMetrics } from '../../../src/api/rest/http-metrics.js';
import { Metrics } from '../../../src/observability/metrics.js';

type Sample = { value: number; labels: Record<string, string | number>; metricName?: string };

async function samples(metrics: Metrics, name: string): Promise<Sample[]> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  if (!metric) throw new Error(`no metric ${name}`);
  return metric.values as Sample[];
}

const value = async (metrics: Metrics, name: string, labels: Record<string, string>, metricName = name) =>
  (await samples(metrics, name)).find(
    (s) => (s.metricName ?? name) === metricName && Object.entries(labels).every(([k, v]) => String(s.labels[k]) === v),
  )?.value;

const catalogStatus = {
  ready: true,
  staleSeconds: 0,
  packages: 3,
  repos: [
    { name: 'sample', failing: false, lastSuccessAt: 1_000_000 },
    { name: 'broken', failing: true, lastSuccessAt: undefined },
  ],
  counters: { indexRequests: 7, indexFailures: 2, archiveFailures: 1 },
};

test('process metrics are there by default, and can be left out', async () => {
  const names = (await new Metrics().registry.getMetricsAsJSON()).map((m) => m.name);
  expect(names).toEqual(expect.arrayContaining(['process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']));
  const bare = (await new Metrics({ defaultMetrics: false }).registry.getMetricsAsJSON()).map((m) => m.name);
  expect(bare.filter((n) => !n.startsWith('appstore_'))).toEqual([]);
});

test('two stores in one process keep registries of their own', () => {
  expect(() => [new Metrics({ defaultMetrics: false }), new Metrics({ defaultMetrics: false })]).not.toThrow();
});

test('HTTP requests are counted and timed by method, route and status', async () => {
  const metrics = new Metrics({ defaultMetrics: false });
  metrics.observeHttp({ method: 'GET', route: '/releases/:id', status: 200, seconds: 0.02 });
  metrics.observeHttp({ method: 'GET', route: '/releases/:id', status: 200, seconds: 0.03 });
  metrics.observeHttp({ method: 'GET', route: '/releases/:id', status: 404, seconds: 0.01 });
  expect(await value(metrics, 'appstore_http_requests_total', { method: 'GET', route: '/releases/:id', status: '200' })).toBe(2);
  expect(await value(metrics, 'appstore_http_requests_total', { status: '404' })).toBe(1);
  const hist = 'appstore_http_request_duration_seconds';
  expect(await value(metrics, hist, { status: '200' }, `${hist}_count`)).toBe(2);
  expect(await value(metrics, hist, { status: '200' }, `${hist}_sum`)).toBeCloseTo(0.05);
  expect(await value(metrics, hist, { status: '200', le: '0.025' }, `${hist}_bucket`)).toBe(1);
});

test('gRPC calls are counted and timed by method and code', async () => {
  const metrics = new Metrics({ defaultMetrics: false });
  metrics.observeGrpc({ method: 'GetRelease', code: 'OK', seconds: 0.01 });
  metrics.observeGrpc({ method: 'GetRelease', code: 'NOT_FOUND', seconds: 0.01 });
  expect(await value(metrics, 'appstore_grpc_calls_total', { method: 'GetRelease', code: 'NOT_FOUND' })).toBe(1);
  expect(await value(metrics, 'appstore_grpc_call_duration_seconds', { method: 'GetRelease', code: 'OK' }, 'appstore_grpc_call_duration_seconds_count')).toBe(1);
});

test('Tiller calls are timed by operation and outcome; failures are counted by code', async () => {
  const metrics = new Metrics({ defaultMetrics: false });
  metrics.tillerCall('install')();
  metrics.tillerCall('content')('NotFound');
  metrics.tillerCall('content')('Unavailable');
  const hist = 'appstore_tiller_call_duration_seconds';
  expect(await value(metrics, hist, { operation: 'install', outcome: 'ok' }, `${hist}_count`)).toBe(1);
  expect(await value(metrics, hist, { operation: 'content', outcome: 'error' }, `${hist}_count`)).toBe(2);
  expect(await value(metrics, 'appstore_tiller_call_errors_total', { operation: 'content', code: 'NotFound' })).toBe(1);
  expect(await value(metrics, 'appstore_tiller_call_errors_total', { operation: 'install' })).toBeUndefined();
});

test('the catalog is read at scrape time: readiness, size, refresh age per repository, failures', async () => {
  let now = 1_000_000 + 42_000;
  const metrics = new Metrics({ defaultMetrics: false, now: () => now });
  const status = { ...catalogStatus, counters: { ...catalogStatus.counters } };
  metrics.watchCatalog({ status: () => status });
  expect(await value(metrics, 'appstore_catalog_ready', {})).toBe(1);
  expect(await value(metrics, 'appstore_catalog_packages', {})).toBe(3);
  expect(await value(metrics, 'appstore_catalog_refresh_age_seconds', { repo: 'sample' })).toBe(42);
  // Never loaded: no age rather than a made-up one.
  expect(await value(metrics, 'appstore_catalog_refresh_age_seconds', { repo: 'broken' })).toBeUndefined();
  expect(await value(metrics, 'appstore_catalog_repo_failing', { repo: 'broken' })).toBe(1);
  expect(await value(metrics, 'appstore_catalog_refresh_failures_total', {})).toBe(2);
  expect(await value(metrics, 'appstore_catalog_refreshes_total', {})).toBe(7);
  status.counters.indexFailures = 5;
  now += 8_000;
  expect(await value(metrics, 'appstore_catalog_refresh_failures_total', {})).toBe(5);
  expect(await value(metrics, 'appstore_catalog_refresh_age_seconds', { repo: 'sample' })).toBe(50);
});

test('the identity files and failed sign-ins are read at scrape time', async () => {
  const metrics = new Metrics({ defaultMetrics: false });
  const status = {
    files: [
      { variable: 'APPSTORE_TOKENS_FILE', reloads: 2, failures: 1, failing: true },
      { variable: 'APPSTORE_NAMESPACES_FILE', reloads: 0, failures: 0, failing: false },
    ],
    signIns: { failed: 25, limited: 3 },
  };
  metrics.watchIdentity({ status: () => status });
  const tokens = { variable: 'APPSTORE_TOKENS_FILE' };
  expect(await value(metrics, 'appstore_identity_file_reloads_total', tokens)).toBe(2);
  expect(await value(metrics, 'appstore_identity_file_reload_failures_total', tokens)).toBe(1);
  expect(await value(metrics, 'appstore_identity_file_failing', tokens)).toBe(1);
  expect(await value(metrics, 'appstore_identity_file_failing', { variable: 'APPSTORE_NAMESPACES_FILE' })).toBe(0);
  expect(await value(metrics, 'appstore_auth_failures_total', {})).toBe(25);
  expect(await value(metrics, 'appstore_auth_rate_limited_total', {})).toBe(3);
  status.signIns = { failed: 30, limited: 9 };
  expect(await value(metrics, 'appstore_auth_rate_limited_total', {})).toBe(9);
});

test('releases are counted by state at scrape time; a failed read keeps the last figures', async () => {
  const metrics = new Metrics({ defaultMetrics: false, releaseCountTtlMs: 1 });
  let counts: () => Promise<Record<string, number>> = async () => ({ deployed: 2, pending: 1 });
  metrics.watchReleases(() => counts());
  const later = () => new Promise((resolve) => setTimeout(resolve, 10));
  expect(await value(metrics, 'appstore_releases', { state: 'deployed' })).toBe(2);
  expect(await value(metrics, 'appstore_releases', { state: 'pending' })).toBe(1);
  expect(await value(metrics, 'appstore_releases', { state: 'deleting' })).toBe(0);
  counts = () => Promise.reject(new Error('API server down'));
  await later();
  expect(await value(metrics, 'appstore_releases', { state: 'deployed' })).toBe(2);
  counts = async () => ({ deployed: 3 });
  await later();
  expect(await value(metrics, 'appstore_releases', { state: 'deployed' })).toBe(3);
});

test('concurrent scrapes share one count of the releases, and it serves later scrapes for a few seconds', async () => {
  const metrics = new Metrics({ defaultMetrics: false, releaseCountTtlMs: 60_000 });
  let reads = 0;
  let release: (counts: Record<string, number>) => void = () => undefined;
  metrics.watchReleases(() => {
    reads += 1;
    return new Promise((resolve) => (release = resolve));
  });
  const scrapes = Array.from({ length: 60 }, () => metrics.text());
  await new Promise((resolve) => setImmediate(resolve));
  release({ deployed: 12 });
  const texts = await Promise.all(scrapes);
  expect(reads).toBe(1);
  expect(texts.every((t) => t.includes('appstore_releases{state="deployed"} 12'))).toBe(true);
  await metrics.text();
  expect(reads).toBe(1);
});

test('reconciliation passes, actions and per-record failures are counted', async () => {
  const metrics = new Metrics({ defaultMetrics: false });
  metrics.observeReconcile({
    actions: [{ action: 'completed-install' }, { action: 'completed-install' }, { action: 'unmanaged-tiller-release' }],
    failures: [{ action: 'completed-install' }, { action: 'read' }],
  });
  metrics.observeReconcile(undefined);
  expect(await value(metrics, 'appstore_reconcile_passes_total', { outcome: 'ok' })).toBe(1);
  expect(await value(metrics, 'appstore_reconcile_passes_total', { outcome: 'failed' })).toBe(1);
  expect(await value(metrics, 'appstore_reconcile_actions_total', { action: 'completed-install' })).toBe(2);
  expect(await value(metrics, 'appstore_reconcile_failures_total', { action: 'completed-install' })).toBe(1);
  expect(await value(metrics, 'appstore_reconcile_failures_total', { action: 'read' })).toBe(1);
});

test('the exposition text is Prometheus text format', async () => {
  const metrics = new Metrics({ defaultMetrics: false });
  metrics.observeHttp({ method: 'GET', route: '/packages', status: 200, seconds: 0.001 });
  expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await metrics.text();
  expect(text).toContain('# TYPE appstore_http_requests_total counter');
  expect(text).toContain('appstore_http_requests_total{method="GET",route="/packages",status="200"} 1');
});

test('the REST middleware labels by route pattern, not by raw path; unmatched paths share one label', async () => {
  const metrics = new Metrics({ defaultMetrics: false });
  const app = express();
  app.use(httpMetrics(metrics));
  const router = express.Router();
  router.get('/releases/:id', (_req, res) => {
    res.json({});
  });
  app.use(router);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const path of ['/releases/a', '/releases/b', '/nope/1', '/nope/2']) await (await fetch(`${base}${path}`)).text();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  const routes = (await samples(metrics, 'appstore_http_requests_total')).map((s) => [s.labels.route, s.labels.status, s.value]);
  expect(routes.sort()).toEqual([
    ['/releases/:id', '200', 2],
    ['unmatched', '404', 2],
  ]);
});
