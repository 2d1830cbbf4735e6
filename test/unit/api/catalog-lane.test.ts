/**
 * The catalog lane answers public listings before express: each answer must
 * be the one express gives for the same request, and everything it does not
 * answer must reach express unchanged.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { ListPackagesRequest } from '../../../gen/appstore/v1/appstore.js';
import type { AppStoreService } from '../../../src/api/grpc/app-store-service.js';
import { createRestApp, createRestHandler, type RestAppOptions } from '../../../src/api/rest/app.js';
import type { PackagePageJson } from '../../../src/catalog/types.js';
import { AppStoreError } from '../../../src/domain/errors.js';
import { Metrics } from '../../../src/observability/metrics.js';

const PACKAGES = ['alpha', 'beta', 'gamma'].map((name) => ({ id: `sample/${name}`, name }));

/** A catalog of three packages behind the service's listing, recording what it was asked; `down` makes it unavailable. */
function fakeService(state: { down: boolean; asked: ListPackagesRequest[] }) {
  return {
    async listPackagesJson(req: ListPackagesRequest): Promise<PackagePageJson> {
      state.asked.push(req);
      if (state.down) throw new AppStoreError('Unavailable', 'the catalog is not available yet');
      const page = PACKAGES.slice(req.offset, req.limit === 0 ? undefined : req.offset + req.limit);
      const body = Buffer.from(JSON.stringify(page));
      return { body, total: PACKAGES.length, staleSeconds: 7, etag: `"page-${req.offset}-${req.limit}"` };
    },
  } as unknown as AppStoreService;
}

interface Served {
  readonly url: string;
  readonly logLines: Record<string, unknown>[];
  readonly metrics: Metrics;
  readonly state: { down: boolean; asked: ListPackagesRequest[] };
  close(): Promise<void>;
}

async function serve(make: (options: RestAppOptions) => RequestListener): Promise<Served> {
  const logLines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const state = { down: false, asked: [] as ListPackagesRequest[] };
  const metrics = new Metrics({ defaultMetrics: false });
  const server: Server = createServer(
    make({
      service: fakeService(state),
      authenticate: async () => {
        throw new AppStoreError('Unauthenticated', 'no identity in this test');
      },
      log: pino({ level: 'info' }, sink),
      readiness: {},
      metrics,
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logLines,
    metrics,
    state,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let lane: Served;
let plain: Served;
beforeEach(async () => {
  lane = await serve(createRestHandler);
  plain = await serve(createRestApp);
});
afterEach(async () => {
  await lane.close();
  await plain.close();
});

/** Status, body and headers, without those that differ on every answer. */
async function answer(res: Response) {
  const headers = Object.fromEntries([...res.headers].filter(([name]) => !['date', 'x-request-id'].includes(name)));
  return { status: res.status, headers, body: await res.text() };
}

/** The same request to both servers, with one request id, which problem bodies quote. */
async function both(path: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  const sent = { ...init, headers: { 'x-request-id': 'same-id', ...init.headers } };
  const [fromLane, fromExpress] = await Promise.all([fetch(lane.url + path, sent), fetch(plain.url + path, sent)]);
  return { lane: await answer(fromLane), express: await answer(fromExpress) };
}

test.each(['/packages', '/packages?limit=2', '/packages?limit=2&offset=1&query=a&deprecated=false'])(
  'GET %s is answered as express answers it, headers included',
  async (path) => {
    const { lane: fromLane, express } = await both(path);
    expect(fromLane).toEqual(express);
    expect(fromLane.status).toBe(200);
    expect(fromLane.headers).toMatchObject({ 'x-total-count': '3', 'x-catalog-stale-seconds': '7', 'content-type': 'application/json; charset=utf-8' });
  },
);

test('a matching If-None-Match is a 304 without a body, as from express; another tag gets the page', async () => {
  // fetch() adds Cache-Control: no-cache to a conditional request unless it carries its own (which a 304 honours).
  const matching = await both('/packages?limit=2', { headers: { 'If-None-Match': 'W/"x", "page-0-2"', 'Cache-Control': 'max-age=0' } });
  expect(matching.lane).toEqual(matching.express);
  expect(matching.lane).toMatchObject({ status: 304, body: '' });
  const other = await both('/packages?limit=2', { headers: { 'If-None-Match': '"page-0-3"', 'Cache-Control': 'max-age=0' } });
  expect(other.lane).toEqual(other.express);
  expect(other.lane.status).toBe(200);
});

test('the request id, the log line and the request metrics are those of the express route', async () => {
  const res = await fetch(`${lane.url}/packages?limit=1`, { headers: { 'X-Request-Id': 'lane-req-1' } });
  expect(res.headers.get('x-request-id')).toBe('lane-req-1');
  await res.text();
  await fetch(`${plain.url}/packages?limit=1`, { headers: { 'X-Request-Id': 'lane-req-1' } }).then((r) => r.text());
  const line = (lines: Record<string, unknown>[]) => {
    const found = lines.find((l) => l.msg === 'http request');
    return found && { requestId: found.requestId, method: found.method, path: found.path, status: found.status };
  };
  expect(line(lane.logLines)).toEqual({ requestId: 'lane-req-1', method: 'GET', path: '/packages', status: 200 });
  expect(line(lane.logLines)).toEqual(line(plain.logLines));
  const counted = async (served: Served) =>
    (await served.metrics.registry.getSingleMetricAsString('appstore_http_requests_total')).split('\n').filter((l) => !l.startsWith('#'));
  expect(await counted(lane)).toEqual(['appstore_http_requests_total{method="GET",route="/packages",status="200"} 1']);
  expect(await counted(lane)).toEqual(await counted(plain));
});

test.each([
  ['an invalid query', '/packages?limit=0', {}, 400],
  ['an unknown parameter', '/packages?colour=red', {}, 400],
  ['a repeated parameter', '/packages?limit=1&limit=2', {}, 400],
  ['an If-None-Match over its limit', '/packages', { 'if-none-match': `"${'x'.repeat(1000)}"` }, 400],
  ['credentials, which must still be checked', '/packages', { authorization: 'Bearer forged' }, 401],
  ['a Dataporten gatekeeper header', '/packages', { 'x-dataporten-userid': 'someone' }, 401],
])('%s goes to express, which answers with its problem+json', async (_what, path, headers, status) => {
  const { lane: fromLane, express } = await both(path, { headers });
  expect(fromLane.status).toBe(status);
  expect(fromLane.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect({ ...fromLane, body: JSON.parse(fromLane.body).detail }).toEqual({ ...express, body: JSON.parse(express.body).detail });
});

test('a catalog that cannot answer is express\'s 503 problem, after the lane gave way', async () => {
  lane.state.down = true;
  plain.state.down = true;
  const { lane: fromLane, express } = await both('/packages');
  expect(fromLane.status).toBe(503);
  expect(JSON.parse(fromLane.body)).toMatchObject({ status: 503, detail: 'the catalog is not available yet' });
  expect({ ...fromLane, body: '' }).toEqual({ ...express, body: '' });
  // Asked by the lane, then by express.
  expect(lane.state.asked).toHaveLength(2);
});

test.each([
  ['HEAD', '/packages'],
  ['GET', '/packages/'],
  ['GET', '/PACKAGES'],
  ['OPTIONS', '/packages'],
  ['POST', '/packages'],
])('%s %s is left to express', async (method, path) => {
  const { lane: fromLane, express } = await both(path, { method });
  expect(fromLane).toEqual(express);
  expect(lane.state.asked.length).toBe(plain.state.asked.length);
});
