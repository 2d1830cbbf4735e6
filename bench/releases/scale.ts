/**
 * The scale scenario: many releases of many users on one store, against the
 * same figures with few releases, so that what grows with everything stored
 * (rather than with what a request touches) shows.
 *
 * Setup writes the store's record Secrets with the store's own serialisation
 * (recordSecret) and, for each, a copy of one real Tiller release (the sample
 * chart, installed once through Tiller) under the record's name in Tiller's
 * storage Secrets, as Tiller writes them: the store reads both exactly as it
 * reads its own, and Tiller lists them as its own. Releases are owned ten
 * each by users u000…u199 and shared with one of 50 groups (release i with
 * g<i mod 50>); u000 belongs to no group (it sees its 10), `wide` to g00…g09
 * (it sees 400 of 2 000).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type V1Secret } from '@kubernetes/client-node';
import pLimit from 'p-limit';
import { loadChartArchive } from '../../src/charts/index.js';
import { ensureNamespace } from '../../src/kube/kube-clients.js';
import { RecordCache } from '../../src/kube/record-cache.js';
import { parseRecord, recordSecret, SecretReleaseStore } from '../../src/kube/release-store.js';
import { decodeStoredRelease, encodeStoredRelease } from '../../src/kube/tiller-codec.js';
import { createLogger } from '../../src/observability/logger.js';
import { reconcile } from '../../src/releases/reconcile.js';
import type { ReleaseRecord } from '../../src/releases/types.js';
import { TillerClient } from '../../src/tiller/index.js';
import type { TestEnv } from '../../test/harness/test-env.js';
import { apiserverSecretRequests } from '../../test/integration/apiserver-requests.js';
import { startChildStore, type ChildStore } from '../../test/integration/operate-child-store.js';
import type { StoreOptions } from '../../test/integration/store.js';
import { measureHttp } from '../catalog/http-load.js';
import { processMemory, stats, timeEach, type Stats } from '../services.js';

const TILLER_NAMESPACE = 'kube-system';
/** Marks the Tiller storage Secrets the scenario wrote, to remove them afterwards. */
const BENCH_LABEL = 'appstore.io/bench';
const USERS = 200;
const GROUPS = 50;
const WIDE_GROUPS = 10;

export interface ScaleOptions {
  readonly sizes: readonly number[];
  readonly connections: number;
  readonly durationSeconds: number;
  /** The idle window over which API server requests are counted (scaled to a minute). */
  readonly idleSeconds: number;
  readonly namespace: string;
  readonly storeOptions: StoreOptions & { readonly compiled?: boolean; readonly logFile?: string };
  readonly dir: string;
}

export interface Latency {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requestsPerSecond: number;
  readonly requests: number;
  /** Answers that were not 2xx (each is counted in the times too). */
  readonly non2xx: number;
}

export interface ScaleFigures {
  readonly releases: number;
  readonly listSmall: Latency;
  readonly listWide: Latency;
  readonly wideCount: number;
  readonly get: Latency;
  readonly status: Latency;
  readonly history: Latency;
  readonly metrics: Stats;
  readonly rssMb: number;
  /**
   * Requests to the API server for Secrets per minute while idle (scraped every 15 s), all clients: the store's records
   * and Tiller's storage are Secrets; Leases are left out, as the control plane's leader elections renew theirs all along.
   */
  readonly idleRequestsPerMinute: number;
  readonly reconcileFull: Stats;
  readonly reconcileUnsettled: Stats;
  readonly startMs: number;
}

export interface ScaleReport {
  readonly sizes: readonly ScaleFigures[];
}

const user = (n: number) => `u${String(n).padStart(3, '0')}`;
const group = (n: number) => `g${String(n).padStart(2, '0')}`;
const tokenOf = (id: string) => `${id}-token`;

function recordOf(i: number, namespace: string): ReleaseRecord {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  return {
    id: `scale-${String(i).padStart(5, '0')}`,
    owner: user(Math.floor(i / 10) % USERS),
    application: 'sample/hello',
    version: '1.0.0',
    namespace,
    adminGroups: [group(i % GROUPS)],
    development: false,
    values: { greeting: `release ${i}` },
    state: 'deployed',
    createdAt: at,
    updatedAt: at,
  };
}

/** The tokens file: u000 in no group, u001… each in one, `wide` in the first ten. */
function writeTokens(dir: string): string {
  const lines = [`${tokenOf('u000')},u000,""`];
  for (let n = 1; n < USERS; n++) lines.push(`${tokenOf(user(n))},${user(n)},"${group(n % GROUPS)}"`);
  lines.push(`${tokenOf('wide')},wide,"${Array.from({ length: WIDE_GROUPS }, (_, g) => group(g)).join(',')}"`);
  const file = join(dir, 'scale-tokens.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

export async function runScaleBench(env: TestEnv, options: ScaleOptions): Promise<ScaleReport> {
  const config = new KubeConfig();
  config.loadFromFile(env.cluster.kubeconfig);
  const core = config.makeApiClient(CoreV1Api);
  const storeNamespace = options.storeOptions.namespace;
  const tiller = new TillerClient(env.cluster.helmHost);
  const tokens = writeTokens(options.dir);
  const limit = pLimit(16);
  let written = 0;
  let store: ChildStore | undefined;
  try {
    await ensureNamespace(core, storeNamespace);
    const template = await tillerTemplate(env, tiller, options.namespace, core);
    const figures: ScaleFigures[] = [];
    for (const size of options.sizes) {
      console.error(`[bench] scale: writing ${size - written} records and Tiller releases`);
      const ids = Array.from({ length: size - written }, (_, k) => written + k);
      await Promise.all(ids.map((i) => limit(() => writeRelease(core, storeNamespace, TILLER_NAMESPACE, recordOf(i, options.namespace), template))));
      written = size;
      const started = performance.now();
      store = await startChildStore(env, { ...options.storeOptions, extraEnv: { ...options.storeOptions.extraEnv, APPSTORE_TOKENS_FILE: tokens } });
      const startMs = performance.now() - started;
      figures.push(await measure(store, size, startMs, { env, config, core, tiller, storeNamespace, options }));
      await store.kill();
      store = undefined;
    }
    return { sizes: figures };
  } finally {
    await store?.kill();
    console.error('[bench] scale: removing the records and Tiller releases');
    await core.deleteCollectionNamespacedSecret({ namespace: storeNamespace, labelSelector: 'app.kubernetes.io/managed-by=appstore' }).catch(() => undefined);
    await core.deleteCollectionNamespacedSecret({ namespace: TILLER_NAMESPACE, labelSelector: `${BENCH_LABEL}=scale` }).catch(() => undefined);
    await tiller.uninstall('scale-template', { purge: true }).catch(() => undefined);
    tiller.close();
  }
}

/** One real release of the sample chart, installed by Tiller: the Release every copy is made from. */
async function tillerTemplate(env: TestEnv, tiller: TillerClient, namespace: string, core: CoreV1Api) {
  const archive = Buffer.from(await (await fetch(`${env.repoUrl}/hello-1.0.0.tgz`)).arrayBuffer());
  await tiller.uninstall('scale-template', { purge: true }).catch(() => undefined);
  await tiller.install({ chart: await loadChartArchive(archive), name: 'scale-template', namespace });
  const [stored] = (await core.listNamespacedSecret({ namespace: TILLER_NAMESPACE, labelSelector: 'NAME=scale-template,OWNER=TILLER' })).items;
  if (!stored?.data?.release) throw new Error('Tiller stored no Secret for the template release');
  return { secret: stored, release: decodeStoredRelease(stored.data.release) };
}

async function writeRelease(
  core: CoreV1Api,
  storeNamespace: string,
  tillerNamespace: string,
  record: ReleaseRecord,
  template: Awaited<ReturnType<typeof tillerTemplate>>,
): Promise<void> {
  const release = { ...template.release, name: record.id, namespace: record.namespace };
  const labels = { ...template.secret.metadata?.labels, NAME: record.id, [BENCH_LABEL]: 'scale' };
  const tillerSecret: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: template.secret.type,
    metadata: { name: `${record.id}.v1`, namespace: tillerNamespace, labels },
    data: { release: encodeStoredRelease(release) },
  };
  await ignoreExists(core.createNamespacedSecret({ namespace: tillerNamespace, body: tillerSecret }));
  await ignoreExists(core.createNamespacedSecret({ namespace: storeNamespace, body: recordSecret(record, storeNamespace) }));
}

async function ignoreExists(write: Promise<unknown>): Promise<void> {
  await write.catch((err: unknown) => {
    if ((err as { code?: number }).code !== 409) throw err;
  });
}

interface MeasureContext {
  readonly env: TestEnv;
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly tiller: TillerClient;
  readonly storeNamespace: string;
  readonly options: ScaleOptions;
}

async function measure(store: ChildStore, size: number, startMs: number, ctx: MeasureContext): Promise<ScaleFigures> {
  const { options } = ctx;
  const load = async (path: string, who: string): Promise<Latency> => {
    // A second of warm-up first, as for the catalog's HTTP figures: the first requests of a fresh process are compiled.
    const headers = { authorization: `Bearer ${tokenOf(who)}` };
    await measureHttp(`${store.url}${path}`, { connections: options.connections, durationSeconds: 1, headers });
    const r = await measureHttp(`${store.url}${path}`, {
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      headers,
    });
    if (r.errors > 0) throw new Error(`GET ${path} as ${who}: ${r.errors} errors (no answer)`);
    if (r.non2xx > 0) console.error(`[bench] GET ${path}: ${r.non2xx} of ${r.requests} answers not 2xx`);
    return { p50Ms: r.p50Ms, p99Ms: r.p99Ms, requestsPerSecond: r.requestsPerSecond, requests: r.requests, non2xx: r.non2xx };
  };
  const listed = async (who: string) => {
    const res = await fetch(`${store.url}/releases`, { headers: { authorization: `Bearer ${tokenOf(who)}` } });
    return ((await res.json()) as unknown[]).length;
  };
  const smallCount = await listed('u000');
  if (smallCount !== 10) throw new Error(`u000 should see 10 releases, sees ${smallCount}`);
  const wideCount = await listed('wide');
  const own = recordOf(0, options.namespace).id;

  console.error(`[bench] scale ${size}: GET /releases, /releases/{id}, /status, /history with ${options.connections} clients`);
  const listSmall = await load('/releases', 'u000');
  const listWide = await load('/releases', 'wide');
  const get = await load(`/releases/${own}`, 'u000');
  const status = await load(`/releases/${own}/status`, 'u000');
  const history = await load(`/releases/${own}/history`, 'u000');
  const metrics = stats(await timeEach(50, () => fetch(`${store.url}/metrics`).then((r) => r.text())));
  const rssMb = processMemory(store.process.pid!).rssMb;

  console.error(`[bench] scale ${size}: API server requests over ${options.idleSeconds} s idle (with a scrape every 15 s)`);
  const before = await apiserverSecretRequests(ctx.config);
  const idleEnd = Date.now() + options.idleSeconds * 1000;
  while (Date.now() < idleEnd) {
    await fetch(`${store.url}/metrics`).then((r) => r.text());
    await new Promise((resolve) => setTimeout(resolve, Math.min(15_000, Math.max(0, idleEnd - Date.now()))));
  }
  const after = await apiserverSecretRequests(ctx.config);
  const idleRequestsPerMinute = ((after - before) * 60) / options.idleSeconds;

  console.error(`[bench] scale ${size}: reconciliation passes`);
  const reconciled = await reconcilePasses(ctx);
  return { releases: size, listSmall, listWide, wideCount, get, status, history, metrics, rssMb, idleRequestsPerMinute, startMs, ...reconciled };
}

/** The passes the store runs, in this process on the same records and Tiller: the full one, and the short one on a synced cache. */
async function reconcilePasses(ctx: MeasureContext): Promise<{ reconcileFull: Stats; reconcileUnsettled: Stats }> {
  const log = createLogger('warn');
  const cache = new RecordCache({ config: ctx.config, namespace: ctx.storeNamespace, parse: parseRecord, log });
  await cache.start();
  try {
    const store = new SecretReleaseStore(ctx.core, ctx.storeNamespace, cache);
    const pass = (scope: 'all' | 'unsettled') => async () => {
      const report = await reconcile({ store: scope === 'all' ? store.fromApi() : store, engine: ctx.tiller, log, scope });
      const changed = report.actions.filter((a) => a.action !== 'unmanaged-tiller-release');
      if (changed.length > 0 || report.failures.length > 0) throw new Error(`reconciliation changed records: ${JSON.stringify(report).slice(0, 500)}`);
    };
    const reconcileFull = stats(await timeEach(3, pass('all')));
    const reconcileUnsettled = stats(await timeEach(20, pass('unsettled')));
    return { reconcileFull, reconcileUnsettled };
  } finally {
    await cache.stop();
  }
}
