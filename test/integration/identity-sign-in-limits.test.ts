/**
 * Failed sign-ins on the store composed as in production: each one is an
 * audit record carrying a fingerprint of the token and never the token, and a
 * client that fails too often is turned away (429 with Retry-After over REST,
 * RESOURCE_EXHAUSTED over gRPC) without its credentials being tried, while
 * other clients go on. REST clients are told apart by their source address
 * (127.0.0.2 and 127.0.0.1, both loopback); both protocols share one count.
 */
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import pino from 'pino';
import { AppStoreClient, type ListReleasesResponse } from '../../gen/appstore/v1/appstore.js';
import { tokenFingerprint } from '../../src/identity/token-hash.js';
import { readTestEnv } from '../harness/test-env.js';
import { startStore, USERS, type RunningStore } from './store.js';

const env = readTestEnv();
const LIMIT = 4;
const lines: Record<string, unknown>[] = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
    done();
  },
});
let running: RunningStore;
let grpc: AppStoreClient;

beforeAll(async () => {
  running = await startStore(env, {
    namespace: 'appstore-sign-ins',
    deployNamespaces: [],
    extraEnv: { APPSTORE_AUTH_FAILURES_PER_MINUTE: String(LIMIT) },
    log: pino({ level: 'info' }, capture),
  });
  grpc = new AppStoreClient(running.grpcAddress, credentials.createInsecure());
});

afterAll(async () => {
  grpc?.close();
  await running?.stop();
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Record<string, unknown>;
}

/** GET /releases with a bearer token, from the given loopback source address. */
function listReleases(token: string, from: string): Promise<Answer> {
  const url = new URL('/releases', running.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, localAddress: from, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function grpcList(token: string): Promise<ListReleasesResponse> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    grpc.listReleases({ limit: 0, offset: 0 }, metadata, { deadline: Date.now() + 30_000 }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

async function grpcFailure(token: string): Promise<ServiceError> {
  return grpcList(token).then(
    () => {
      throw new Error('the call succeeded, but it should have failed');
    },
    (err: unknown) => err as ServiceError,
  );
}

const signInAudits = () => lines.filter((l) => l.audit === true && l.action === 'authenticate');

test('REST: N bad tokens are audited by fingerprint; the next attempt from that address is 429, other addresses go on', async () => {
  const guesses = Array.from({ length: LIMIT }, (_, i) => `stolen-looking-token-${i}-${Date.now()}`);
  for (const guess of guesses) expect((await listReleases(guess, '127.0.0.2')).status).toBe(401);

  const audits = signInAudits();
  expect(audits).toHaveLength(LIMIT);
  expect(audits.map((a) => a.tokenHash)).toEqual(guesses.map(tokenFingerprint));
  for (const audit of audits) expect(audit).toMatchObject({ outcome: 'denied', who: null, client: '127.0.0.2', level: 40 });
  const everything = JSON.stringify(lines);
  for (const guess of guesses) expect(everything).not.toContain(guess);

  // Refused unheard: even alice's valid token, and without a new audit record.
  const limited = await listReleases(USERS.alice.token, '127.0.0.2');
  expect(limited.status).toBe(429);
  expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(55);
  expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
  expect(limited.body).toMatchObject({ status: 429, code: 'ResourceExhausted', title: 'Too Many Requests' });
  expect(signInAudits()).toHaveLength(LIMIT);

  // Another client is not concerned, and a successful request is not counted.
  for (let i = 0; i < LIMIT + 2; i++) expect((await listReleases(USERS.alice.token, '127.0.0.1')).status).toBe(200);
});

test('gRPC: after N bad tokens from the peer the next call is RESOURCE_EXHAUSTED; REST from that address is refused too', async () => {
  await expect(grpcList(USERS.bob.token)).resolves.toBeDefined();
  for (let i = 0; i < LIMIT; i++) expect((await grpcFailure(`grpc-guess-${i}`)).code).toBe(status.UNAUTHENTICATED);
  const limited = await grpcFailure(USERS.bob.token);
  expect(limited.code).toBe(status.RESOURCE_EXHAUSTED);
  expect(limited.details).toMatch(/too many failed sign-ins/);
  expect(Number(limited.metadata.get('retry-after')[0])).toBeGreaterThan(0);
  expect(signInAudits().filter((a) => a.client === '127.0.0.1')).toHaveLength(LIMIT);
  // One count for both protocols: the same address is refused over REST as well.
  expect((await listReleases(USERS.bob.token, '127.0.0.1')).status).toBe(429);
  const metrics = await fetch(`${running.url}/metrics`).then((r) => r.text());
  expect(metrics).toMatch(/^appstore_auth_failures_total \d+$/m);
  expect(metrics).toMatch(/^appstore_auth_rate_limited_total [1-9]\d*$/m);
});
