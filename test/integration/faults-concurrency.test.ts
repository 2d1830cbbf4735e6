/**
 * Fault injection by load: 50 concurrent installs of different releases plus
 * 10 concurrent upgrades of one release, against the real (throttled)
 * Tiller. Every request succeeds or gets a clear 409, and nothing is lost:
 * every install answered 200 has a deployed record and a deployed Tiller
 * release, the upgraded release ends on one of the answered versions/values,
 * and its Tiller history is a clean, uninterleaved sequence of revisions.
 */
import yaml from 'js-yaml';
import { SecretReleaseStore } from '../../src/kube/release-store.js';
import { ALL_STATUS_CODES, ReleaseStatusCode } from '../../src/tiller/index.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, kubeClients } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-faults-load';
const storeNamespace = 'appstore-faults-load';
const INSTALLS = 50;
const UPGRADES = 10;
let running: RunningStore;
let call: ReturnType<typeof api>;
let records: SecretReleaseStore;

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  // One user's load on purpose: the per-user limits (changes in flight, releases), which would refuse most of it with
  // 429 and 403 (releases-limits.test.ts), are off, so that every change reaches the locks this test is about.
  running = await startStore(env, {
    namespace: storeNamespace,
    deployNamespaces: [namespace],
    extraEnv: { APPSTORE_MAX_CHANGES_IN_FLIGHT_PER_USER: '0', APPSTORE_QUOTA_RELEASES_PER_USER: '0' },
  });
  call = api(running.url);
  records = new SecretReleaseStore(kube.core, storeNamespace);
});

afterAll(async () => {
  const ids = (await records.list()).filter((r) => r.namespace === namespace).map((r) => r.id);
  for (let i = 0; i < ids.length; i += 10) {
    await Promise.all(ids.slice(i, i + 10).map((id) => call('DELETE', `/releases/${id}`, { user: 'alice' }).catch(() => undefined)));
  }
  await running?.stop();
}, 600_000);

type Answer = Awaited<ReturnType<ReturnType<typeof api>>>;

function expectClear(res: Answer, what: string): void {
  if (res.status === 200) return;
  // Anything else must be a clear conflict.
  expect({ what, status: res.status, type: res.headers.get('content-type'), code: res.json?.code }).toEqual({
    what,
    status: 409,
    type: expect.stringContaining('application/problem+json') as string,
    code: 'Conflict',
  });
}

test(`${INSTALLS} concurrent installs plus ${UPGRADES} concurrent upgrades of one release: 200 or 409, nothing lost`, async () => {
  const base = await call('POST', '/releases', { user: 'alice', body: { application: 'sample/hello', version: '1.0.0', namespace } });
  expect(base.status).toBe(200);
  const target = String(base.json.id);

  const started = Date.now();
  const installs = Array.from({ length: INSTALLS }, (_, i) =>
    call('POST', '/releases', {
      user: 'alice',
      body: { application: 'sample/hello', version: i % 2 ? '1.1.0' : '1.0.0', namespace, values: { message: `install-${i}` } },
    }),
  );
  const upgrades = Array.from({ length: UPGRADES }, (_, i) =>
    call('PATCH', `/releases/${target}`, {
      user: 'alice',
      body: { version: i % 2 ? '1.0.0' : '1.1.0', values: { message: `upgrade-${i}` } },
    }),
  );
  const [installed, upgraded] = await Promise.all([Promise.all(installs), Promise.all(upgrades)]);
  const elapsed = Date.now() - started;

  installed.forEach((res, i) => expectClear(res, `install ${i}`));
  upgraded.forEach((res, i) => expectClear(res, `upgrade ${i}`));
  const okInstalls = installed.filter((r) => r.status === 200);
  const okUpgrades = upgraded.filter((r) => r.status === 200);
  console.log(
    `faults-concurrency: ${okInstalls.length}/${INSTALLS} installs 200, ${okUpgrades.length}/${UPGRADES} upgrades 200 ` +
      `(the rest 409) in ${elapsed} ms`,
  );
  expect(okUpgrades.length).toBeGreaterThanOrEqual(1);

  // Every install answered 200: a distinct id, a deployed record and a deployed Tiller release, with its values.
  const ids = okInstalls.map((r) => String(r.json.id));
  expect(new Set(ids).size).toBe(ids.length);
  const recs = new Map((await records.list()).filter((r) => r.namespace === namespace).map((r) => [r.id, r]));
  const tiller = new Map(
    (await running.store.tiller.list({ namespace, statusCodes: ALL_STATUS_CODES }))
      .filter((r) => r.namespace === namespace)
      .map((r) => [r.name, r]),
  );
  for (const res of okInstalls) {
    const id = String(res.json.id);
    expect({ id, state: recs.get(id)?.state, values: recs.get(id)?.values }).toMatchObject({ id, state: 'deployed', values: res.json.values as object });
    expect({ id, code: tiller.get(id)?.info?.status?.code }).toEqual({ id, code: ReleaseStatusCode.DEPLOYED });
  }
  // Nothing more either: no record or Tiller release from an install answered 409.
  expect([...recs.keys()].sort()).toEqual([...ids, target].sort());
  expect([...tiller.keys()].sort()).toEqual([...ids, target].sort());
  for (const rec of recs.values()) expect(rec.state).toBe('deployed');

  // The upgraded release ends as one of the upgrades answered 200 left it.
  const final = await call('GET', `/releases/${target}`, { user: 'alice' });
  expect(final.status).toBe(200);
  const answers = okUpgrades.map((r) => ({ version: r.json.version, values: r.json.values }));
  expect(answers).toContainEqual({ version: final.json.version, values: final.json.values });

  // Tiller's history: revisions 1..n with no gaps, one per successful change, only the newest DEPLOYED,
  // and the newest is what the store reports.
  const history = [...(await running.store.tiller.history(target))].sort((a, b) => a.version - b.version);
  expect(history.map((r) => r.version)).toEqual(Array.from({ length: okUpgrades.length + 1 }, (_, i) => i + 1));
  expect(history.map((r) => r.info?.status?.code)).toEqual([
    ...Array.from({ length: okUpgrades.length }, () => ReleaseStatusCode.SUPERSEDED),
    ReleaseStatusCode.DEPLOYED,
  ]);
  const newest = history[history.length - 1];
  expect(newest?.chart?.metadata?.version).toBe(final.json.version);
  const message = (final.json.values as { message?: unknown } | undefined)?.message;
  expect((yaml.load(newest?.config?.raw ?? '') as { message?: unknown } | undefined)?.message).toBe(message);
  // Each successful upgrade is one revision: the messages in revisions 2..n are those of the 200 answers.
  const revisionMessages = history.slice(1).map((r) => (yaml.load(r.config?.raw ?? '') as { message?: unknown } | undefined)?.message);
  expect([...revisionMessages].sort()).toEqual(okUpgrades.map((r) => (r.json.values as { message?: unknown }).message).sort());
}, 600_000);
