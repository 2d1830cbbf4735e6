/**
 * `make bench`: the catalog and releases benchmarks on the local control
 * plane, against the compiled store running as its own process (as in
 * production), each figure against a baseline measured in the same run.
 * Prints the report and writes it to docs/BENCHMARKS.md, with the
 * hand-written reading notes of bench/NOTES.md appended.
 *
 * Knobs (environment): BENCH_CHARTS, BENCH_VERSIONS (synthetic catalog size),
 * BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_QUERY (HTTP load), BENCH_LOADS
 * (catalog loads), BENCH_ROUNDS (sequential installs), BENCH_CONCURRENT,
 * BENCH_STATUS_CALLS, BENCH_FLOODERS (installs the flooding user keeps going).
 * BENCH_ONLY=fair-share runs only the starvation scenario and prints it,
 * without writing docs/BENCHMARKS.md; BENCH_STORE_ENV (`K=V,K=V`) then sets
 * more of the store's environment, e.g. APPSTORE_TILLER_STORAGE_QPS=0 to
 * compare without pacing. BENCH_ONLY=engine runs only the Helm 4 engine's
 * measurements (bench/releases/engine.ts) and prints their rows.
 * BENCH_ONLY=scale runs only the scale scenario (bench/releases/scale.ts:
 * BENCH_SCALE_SIZES, default `20,2000` releases; BENCH_IDLE_SECONDS, default
 * 60) and prints its rows. BENCH_ONLY=catalog runs only the catalog's
 * loads, the store's memory and GET /packages, and prints their figures.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import yaml from 'js-yaml';
import { createCatalog } from '../src/catalog/index.js';
import { createLogger } from '../src/observability/logger.js';
import { ensureNamespace, kubeClients } from '../test/integration/kube.js';
import { startChildStore, type ChildStore } from '../test/integration/operate-child-store.js';
import { compareCatalogHttp, loadCatalog, startSyntheticRepo, type HttpComparison } from './catalog/run.js';
import { runFairShareBench, type FairShareReport } from './releases/fair-share.js';
import { runEngineBench, type EngineBenchReport } from './releases/engine.js';
import { runReleasesBench, serveManyChart, type ReleasesBenchReport } from './releases/measure.js';
import { runScaleBench, type ScaleReport } from './releases/scale.js';
import { scaleRows } from './releases/scale-rows.js';
import { envNumber, processMemory, startServices, stats, timeEach, type Stats } from './services.js';

const count = (key: string, fallback: number) => envNumber(key, fallback, { integer: true });
const options = {
  charts: count('BENCH_CHARTS', 1000),
  versions: count('BENCH_VERSIONS', 20),
  durationSeconds: envNumber('BENCH_SECONDS', 5),
  connections: count('BENCH_CONNECTIONS', 50),
  query: process.env.BENCH_QUERY ?? 'redis',
  loads: count('BENCH_LOADS', 5),
  rounds: count('BENCH_ROUNDS', 10),
  concurrent: count('BENCH_CONCURRENT', 20),
  statusCalls: count('BENCH_STATUS_CALLS', 200),
  flooders: count('BENCH_FLOODERS', 25),
  scaleSizes: (process.env.BENCH_SCALE_SIZES ?? '20,2000').split(',').map((n) => Number(n)),
  idleSeconds: count('BENCH_IDLE_SECONDS', 60),
};
const namespace = 'bench';

/**
 * A process's RSS once it has settled: sampled every second for at least 5 s
 * (V8 gives memory back after a load only when it next collects, which an
 * idle process does within seconds), until three samples in a row lie within
 * 2 MiB of each other, or 30 s have passed; the last sample.
 */
async function settledRssMb(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let second = 0; second < 30; second++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    samples.push(processMemory(pid).rssMb);
    const last = samples.slice(-3);
    if (second >= 4 && Math.max(...last) - Math.min(...last) <= 2) break;
  }
  return samples.at(-1)!;
}

interface Memory {
  /** The store with only the sample repository (a few charts). */
  readonly sampleOnlyMb: number;
  /** The store with the synthetic catalog loaded, settled. */
  readonly catalogLoadedMb: number;
  readonly afterHttpMb: number;
  readonly afterReleasesMb: number;
  readonly peakMb: number;
}

interface Report {
  readonly date: Date;
  readonly entries: number;
  readonly indexBytes: number;
  readonly load: { readonly catalog: Stats; readonly parse: Stats; readonly catalogStall: Stats; readonly parseStall: Stats };
  readonly http: readonly HttpComparison[];
  readonly releases: ReleasesBenchReport;
  readonly fairShare: FairShareReport;
  readonly engine: EngineBenchReport;
  readonly scale: ScaleReport;
  readonly memory: Memory;
}

/**
 * Loads the synthetic catalog `loads` times in this process, against fetching and parsing its index.yaml alone;
 * for both, the longest the event loop was held up during the load.
 */
async function measureLoads(repoUrl: string): Promise<Report['load']> {
  const catalogStalls: number[] = [];
  const catalogTimes = await timeEach(options.loads, async () => {
    const catalog = createCatalog({ repos: [{ name: 'synthetic', url: repoUrl }] }, createLogger('warn'));
    try {
      catalogStalls.push(await longestStall(() => loadCatalog(catalog)));
    } finally {
      await catalog.stop();
    }
  });
  const parseStalls: number[] = [];
  const parseTimes = await timeEach(options.loads, async () => {
    parseStalls.push(
      await longestStall(async () => {
        const text = await (await fetch(`${repoUrl}/index.yaml`)).text();
        yaml.load(text);
      }),
    );
  });
  return {
    catalog: stats(catalogTimes),
    parse: stats(parseTimes),
    catalogStall: stats(catalogStalls),
    parseStall: stats(parseStalls),
  };
}

/** The longest the event loop was held up (ms) while `op` ran. */
async function longestStall(op: () => Promise<unknown>): Promise<number> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const ticks = () => new Promise((resolve) => setTimeout(resolve, 50));
  delay.enable();
  try {
    // The histogram measures from its first tick, and a late tick is only counted once it runs: ticks on both sides.
    await ticks();
    await op();
    await ticks();
  } finally {
    delay.disable();
  }
  return delay.max / 1e6;
}

async function main(): Promise<void> {
  const date = new Date();
  const services = await startServices();
  const { env } = services;
  const synthetic = await startSyntheticRepo(options);
  const many = await serveManyChart();
  const logFile = join(services.dir, 'store.log');
  let store: ChildStore | undefined;
  try {
    await ensureNamespace(kubeClients(env), namespace);
    const storeOptions = { namespace: 'appstore-bench', deployNamespaces: [namespace], compiled: true, logFile };
    if (process.env.BENCH_ONLY === 'fair-share') {
      const extraEnv = Object.fromEntries((process.env.BENCH_STORE_ENV ?? '').split(',').filter(Boolean).map((kv) => kv.split('=', 2)));
      store = await startChildStore(env, { ...storeOptions, extraEnv });
      console.error('[bench] one user installs while another floods');
      const fairShare = await runFairShareBench(store.url, { namespace, rounds: options.rounds, flooders: options.flooders });
      console.log(fairShareRow(fairShare).join(' | '));
      return;
    }

    const scaleOptions = {
      sizes: options.scaleSizes,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      idleSeconds: options.idleSeconds,
      namespace,
      storeOptions: { ...storeOptions, namespace: 'appstore-bench-scale' },
      dir: services.dir,
    };
    if (process.env.BENCH_ONLY === 'scale') {
      const scale = await runScaleBench(env, scaleOptions);
      console.log(scaleRows(scale).map((row) => `| ${row.join(' | ')} |`).join('\n'));
      return;
    }

    const engineOptions = { rounds: options.rounds, concurrent: options.concurrent, namespace, dir: services.dir };
    if (process.env.BENCH_ONLY === 'engine') {
      const engine = await runEngineBench(env, engineOptions);
      console.log(engineRows(engine).map((row) => row.join(' | ')).join('\n'));
      console.log(engineMemoryRows(engine).join('\n'));
      return;
    }

    console.error('[bench] catalog loads');
    const load = await measureLoads(synthetic.url);

    console.error('[bench] store memory with the sample repository only');
    const small = await startChildStore(env, storeOptions);
    const sampleOnlyMb = await settledRssMb(small.process.pid!);
    await small.kill();

    console.error('[bench] store with the synthetic catalog');
    const repos = `sample=${env.repoUrl},many=${many.url},synthetic=${synthetic.url}`;
    store = await startChildStore(env, { ...storeOptions, extraEnv: { APPSTORE_REPOS: repos } });
    const pid = store.process.pid!;
    const catalogLoadedMb = await settledRssMb(pid);

    console.error('[bench] GET /packages against the bare server');
    const http = await compareCatalogHttp(store.url, options);
    const afterHttpMb = processMemory(pid).rssMb;
    if (process.env.BENCH_ONLY === 'catalog') {
      console.log(JSON.stringify({ load, http, memory: { sampleOnlyMb, catalogLoadedMb, afterHttpMb, peakMb: processMemory(pid).peakRssMb } }, null, 1));
      return;
    }

    console.error('[bench] releases against the helm CLI');
    const releases = await runReleasesBench(env, store.url, many.url, { ...options, namespace });
    console.error('[bench] one user installs while another floods');
    const fairShare = await runFairShareBench(store.url, { namespace, rounds: options.rounds, flooders: options.flooders });
    const end = processMemory(pid);
    console.error('[bench] the Helm 4 engine against the Helm 4 CLI and Tiller');
    const engine = await runEngineBench(env, engineOptions);
    await store.kill();
    console.error('[bench] the scale scenario');
    const scale = await runScaleBench(env, scaleOptions);

    const report: Report = {
      date,
      entries: synthetic.entries,
      indexBytes: synthetic.indexBytes,
      load,
      http,
      releases,
      fairShare,
      engine,
      scale,
      memory: { sampleOnlyMb, catalogLoadedMb, afterHttpMb, afterReleasesMb: end.rssMb, peakMb: end.peakRssMb },
    };
    const markdown = render(report);
    console.log(markdown);
    writeFileSync(join('docs', 'BENCHMARKS.md'), `${markdown}\n${readFileSync(join('bench', 'NOTES.md'), 'utf8')}`);
    console.error('[bench] wrote docs/BENCHMARKS.md');
  } finally {
    await store?.kill();
    await many.close();
    await synthetic.close();
    await services.stop();
  }
}

const f = (n: number, digits = 0) => n.toFixed(digits);
const msCell = (s: Stats) => `${f(s.p50, 1)} / ${f(s.p99, 1)}`;
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench'], { encoding: 'utf8' }).trim();
    return dirty ? `${head} with uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

/** One user's installs while another floods, against the same user's installs on an idle Tiller. */
function fairShareRow(s: FairShareReport): string[] {
  const ratio = s.victimFlooded.p50 / s.victimIdle.p50;
  return [
    `POST /releases by one user while another keeps ${s.flooders} installs going (${s.floodInstalled} installed in ${f(s.floodSeconds)} s, ` +
      `${s.floodRefused} answers 429)`,
    msCell(s.victimFlooded),
    'the same user\'s POST /releases, idle Tiller, same pause before each',
    msCell(s.victimIdle),
    `${f(ratio, 2)}×`,
    `≤ 2×: ${verdict(ratio <= 2)}`,
  ];
}

/** The Helm 4 engine: the store on it against the Helm 4 CLI, and a concurrent batch against Tiller's. */
function engineRows(e: EngineBenchReport): string[][] {
  const installRatio = e.install.store.p50 / e.install.helm4.p50;
  const { concurrent: c } = e;
  const batchRatio = c.engineMs / c.tillerMs;
  return [
    [
      `POST /releases (sample/hello 1.0.0), the store on the Helm 4 engine (${e.engineVersion})`,
      msCell(e.install.store),
      '`helm install` (Helm 4 CLI, same chart archive, same cluster)',
      msCell(e.install.helm4),
      `${f(installRatio, 2)}×`,
      `≤ 0.5×: ${verdict(installRatio <= 0.5)}`,
    ],
    [
      'the engine\'s InstallRelease called directly (the floor of both)',
      msCell(e.install.engine),
      '`helm install` (Helm 4 CLI)',
      msCell(e.install.helm4),
      `${f(e.install.engine.p50 / e.install.helm4.p50, 2)}×`,
      '',
    ],
    [
      `${c.n} concurrent InstallRelease to the Helm 4 engine: ${c.engineSucceeded}/${c.n} succeeded`,
      `${f(c.engineMs)} (all)`,
      `the same ${c.n} to Tiller v2.17: ${c.tillerSucceeded}/${c.n} succeeded`,
      `${f(c.tillerMs)} (all)`,
      `${f(batchRatio, 2)}×`,
      `≤ 0.3×, all succeed: ${verdict(batchRatio <= 0.3 && c.engineSucceeded === c.n)}`,
    ],
  ];
}

function engineMemoryRows(e: EngineBenchReport): string[] {
  return [
    `| the Helm 4 engine, idle after its first install | ${f(e.memory.idleMb)} MiB |`,
    `| the Helm 4 engine, peak (VmHWM) after ${e.concurrent.n} concurrent installs | ${f(e.memory.peakMb)} MiB |`,
  ];
}

function render(r: Report): string {
  const { install, concurrent, status } = r.releases;
  const list = r.http[0];
  const installRatio = install.idle.store.p50 / install.idle.helm.p50;
  const rows: string[][] = [
    [
      `Catalog load + index, ${r.entries} entries (${f(r.indexBytes / 2 ** 20, 1)} MiB index.yaml), in-process`,
      msCell(r.load.catalog),
      'fetch + js-yaml parse of the same index.yaml',
      msCell(r.load.parse),
      `${f(r.load.catalog.p50 / r.load.parse.p50, 2)}×`,
      `load < 2000 ms: ${verdict(r.load.catalog.p50 < 2000)}`,
    ],
    [
      'Longest event-loop stall during that load',
      msCell(r.load.catalogStall),
      'the same during the fetch + parse on the event loop',
      msCell(r.load.parseStall),
      `${f(r.load.catalogStall.p50 / r.load.parseStall.p50, 2)}×`,
      '',
    ],
    ...r.http.map((c) => [
      `${c.name} (${f(c.bodyBytes / 1024)} KiB), ${f(c.target.requestsPerSecond)} req/s`,
      `${f(c.target.p50Ms, 1)} / ${f(c.target.p99Ms, 1)}`,
      `bare node:http answering the same bytes, ${f(c.baseline.requestsPerSecond)} req/s`,
      `${f(c.baseline.p50Ms, 1)} / ${f(c.baseline.p99Ms, 1)}`,
      `${f(c.ratio, 2)}× req/s`,
      c === list
        ? `≥ 0.8× req/s: ${verdict(c.ratio >= 0.8)}; p99 < 10 ms: ${verdict(c.target.p99Ms < 10)}`
        : '',
    ]),
    [
      'POST /releases (sample/hello 1.0.0), each on an idle Tiller',
      msCell(install.idle.store),
      '`helm install` (v2 CLI, same chart, same Tiller), idle Tiller',
      msCell(install.idle.helm),
      `${f(installRatio, 2)}×`,
      `≤ 0.7×: ${verdict(installRatio <= 0.7)}`,
    ],
    [
      'Tiller InstallRelease called directly, idle Tiller (the floor of both)',
      msCell(install.idle.tiller),
      '`helm install`, idle Tiller',
      msCell(install.idle.helm),
      `${f(install.idle.tiller.p50 / install.idle.helm.p50, 2)}×`,
      '',
    ],
    [
      'POST /releases, back to back with `helm install` (Tiller\'s rate limiter saturated)',
      msCell(install.backToBack.store),
      '`helm install`, back to back with POST /releases',
      msCell(install.backToBack.helm),
      `${f(install.backToBack.store.p50 / install.backToBack.helm.p50, 2)}×`,
      '',
    ],
    [
      `${concurrent.n} concurrent POST /releases by one user: ${concurrent.storeSucceeded}/${concurrent.n} succeeded (${concurrent.storeRefused} answers 429, each retried after its Retry-After)`,
      `${f(concurrent.storeMs)} (all)`,
      `${concurrent.n} concurrent \`helm install\`: ${concurrent.helmSucceeded}/${concurrent.n} succeeded`,
      `${f(concurrent.helmMs)} (all)`,
      `${f(concurrent.storeMs / concurrent.helmMs, 2)}×`,
      `all succeed: ${verdict(concurrent.storeSucceeded === concurrent.n)}`,
    ],
    fairShareRow(r.fairShare),
    ...engineRows(r.engine),
    [
      `GET /releases/{id}/status, ${status.resources} resources`,
      msCell(status.store),
      '`helm status` of the same release',
      msCell(status.helm),
      `${f(status.store.p50 / status.helm.p50, 2)}×`,
      `p50 < 50 ms: ${verdict(status.store.p50 < 50)}`,
    ],
  ];
  const m = r.memory;
  return [
    '# Benchmarks',
    '',
    'Generated by `make bench` (bench/run.ts); do not edit by hand: every figure below is the one the last run printed.',
    '',
    `- Date: ${r.date.toISOString().slice(0, 16).replace('T', ' ')} UTC; commit ${commit()}`,
    `- Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${f(totalmem() / 2 ** 30, 1)} GiB memory, Linux ${release()}`,
    `- Node ${process.version}; Tiller ${r.releases.tillerVersion}; Kubernetes control plane of test/cluster (kube-apiserver, etcd, kwok)`,
    `- The store: \`node dist/src/main.js\` as its own process, logging at info to a file, static token authentication`,
    `- Load: ${options.connections} connections, ${options.durationSeconds} s per side in two alternating rounds after 1 s of warm-up (autocannon); ` +
      `${options.loads} catalog loads; ${options.rounds} sequential installs per side and phase, interleaved (idle Tiller: 2.2 s pause before each); ` +
      `${options.statusCalls} status calls (helm: ${Math.min(options.statusCalls, 20)}); ` +
      `starvation: ${options.rounds} installs of one user per phase (2.2 s pause before each), the other user keeping ${options.flooders} installs going`,
    '',
    'Times are p50 / p99 in milliseconds (for counts of five or fewer, p99 is the maximum). Ratio: the store ÷ its baseline, on p50 or on requests per second.',
    '',
    '| measurement | p50 / p99 ms | baseline | p50 / p99 ms | ratio | target |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    '## Scale: many releases and users on one store',
    '',
    `Release records and Tiller releases of the sample chart owned by 200 users (10 each) and shared with one of 50 groups; ` +
      `${options.connections} concurrent clients, ${options.durationSeconds} s per measurement after 1 s of warm-up; each figure beside the same at the smallest size ` +
      '(bench/releases/scale.ts). API server requests: every client\'s requests for Secrets (apiserver_request_total) over an idle ' +
      `${options.idleSeconds} s while /metrics is scraped every 15 s, per minute.`,
    '',
    '| measurement | at the largest size | at the smallest size | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    ...scaleRows(r.scale).map((row) => `| ${row.join(' | ')} |`),
    '',
    '## Memory of the store process (RSS)',
    '',
    '| state | RSS |',
    '| --- | --- |',
    `| baseline: the store serving the sample repository only | ${f(m.sampleOnlyMb)} MiB |`,
    `| the synthetic catalog loaded (${r.entries} entries), settled | ${f(m.catalogLoadedMb)} MiB (+${f(m.catalogLoadedMb - m.sampleOnlyMb)}; target < 200 MiB: ${verdict(m.catalogLoadedMb < 200)}) |`,
    `| after the HTTP load | ${f(m.afterHttpMb)} MiB |`,
    `| after the releases benchmark | ${f(m.afterReleasesMb)} MiB |`,
    `| peak (VmHWM) over the whole run | ${f(m.peakMb)} MiB |`,
    '',
    '## Memory of the Helm 4 engine (RSS)',
    '',
    '| state | RSS |',
    '| --- | --- |',
    ...engineMemoryRows(r.engine),
    '',
  ].join('\n');
}

await main();
