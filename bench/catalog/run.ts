/**
 * The catalog benchmark: `npx tsx bench/catalog/run.ts`.
 *
 * Generates a synthetic repository (1,000 charts × 20 versions by default),
 * serves it on loopback, and measures how long the catalog takes to load and
 * index it, the memory it holds, its in-process list and search throughput,
 * and HTTP throughput of GET /packages and GET /packages?query=… against a
 * bare node:http server answering a body of the same bytes (the baseline),
 * in the same run. Only loopback; every measurement is bounded in time.
 *
 * Options (environment): BENCH_CHARTS, BENCH_VERSIONS, BENCH_SECONDS (per HTTP
 * measurement), BENCH_CONNECTIONS, BENCH_QUERY.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pathToFileURL } from 'node:url';
import { createCatalog, type DefaultCatalog } from '../../src/catalog/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { measureHttp, type LoadResult } from './http-load.js';
import { measureInProcess, type InProcessResult } from './in-process.js';
import { serveBaseline, serveCatalogMinimal, type ServeCatalog } from './servers.js';
import { serveStoreRestApp } from './store-server.js';
import { envNumber } from '../services.js';

export interface CatalogBenchOptions {
  readonly charts: number;
  readonly versions: number;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly query: string;
  /** The HTTP server around the catalog; the minimal stand-in unless the store's REST app is given. */
  readonly serve?: ServeCatalog;
}

export interface HttpComparison {
  readonly name: string;
  readonly bodyBytes: number;
  readonly target: LoadResult;
  readonly baseline: LoadResult;
  /** target req/s ÷ baseline req/s. */
  readonly ratio: number;
}

export interface CatalogBenchReport {
  readonly entries: number;
  readonly indexBytes: number;
  readonly loadMs: number;
  /** This process before the catalog loaded (node, tsx, the modules). */
  readonly rssBeforeMb: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  /** Peak RSS of the process up to the end of the load (the YAML parse is the peak). */
  readonly loadPeakRssMb: number;
  readonly inProcess: readonly InProcessResult[];
  readonly http: readonly HttpComparison[];
}

export async function runCatalogBench(options: CatalogBenchOptions): Promise<CatalogBenchReport> {
  const repo = await startSyntheticRepo(options);
  const catalog = createCatalog({ repos: [{ name: 'bench', url: repo.url }] }, createLogger('warn'));
  try {
    collectGarbage();
    const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
    const loadMs = await loadCatalog(catalog);
    const loadPeakRssMb = process.resourceUsage().maxRSS / 1024;
    // What the process holds once the load's garbage is gone and V8 has had a moment to return pages.
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    collectGarbage();
    const memory = process.memoryUsage();

    const query = options.query;
    let miss = 0;
    const inProcess = [
      await measureInProcess('list (default, unpaged)', () => catalog.list({})),
      await measureInProcess('listJson (default, unpaged)', () => catalog.listJson({})),
      await measureInProcess('list (limit 20, offset 100)', () => catalog.list({ limit: 20, offset: 100 })),
      await measureInProcess(`list query=${query} (cached ranking)`, () => catalog.list({ query })),
      await measureInProcess(`listJson query=${query}`, () => catalog.listJson({ query })),
      // More distinct queries than the ranking cache holds: each one is a full scan.
      await measureInProcess('list query=<distinct> (uncached scan)', () => catalog.list({ query: `q${(miss += 1)}` })),
    ];

    const target = await (options.serve ?? serveCatalogMinimal)(catalog);
    let http: HttpComparison[];
    try {
      http = await compareCatalogHttp(target.url, options);
    } finally {
      await target.close();
    }
    return {
      entries: repo.entries,
      indexBytes: repo.indexBytes,
      loadMs,
      rssBeforeMb,
      rssMb: memory.rss / 2 ** 20,
      heapUsedMb: memory.heapUsed / 2 ** 20,
      loadPeakRssMb,
      inProcess,
      http,
    };
  } finally {
    await catalog.stop();
    await repo.close();
  }
}

/** Starts the catalog and answers how long it took to become ready (download, parse, model, snapshot). */
export async function loadCatalog(catalog: DefaultCatalog): Promise<number> {
  const started = performance.now();
  await catalog.start();
  const loadMs = performance.now() - started;
  if (!catalog.ready()) throw new Error(`the catalog did not load: ${JSON.stringify(catalog.status().repos)}`);
  return loadMs;
}

/** GET /packages unpaged, paged and searched at `baseUrl`, each against the bare server answering the same bytes. */
export async function compareCatalogHttp(
  baseUrl: string,
  options: Pick<CatalogBenchOptions, 'connections' | 'durationSeconds' | 'query'>,
): Promise<HttpComparison[]> {
  const http: HttpComparison[] = [];
  for (const [name, path] of [
    ['GET /packages', '/packages'],
    ['GET /packages?limit=20', '/packages?limit=20'],
    [`GET /packages?query=${options.query}`, `/packages?query=${encodeURIComponent(options.query)}`],
  ] as const) {
    http.push(await compare(name, `${baseUrl}${path}`, options));
  }
  return http;
}

/** Generates and serves the repository in a child process (see serve-synthetic.ts). */
export async function startSyntheticRepo(options: Pick<CatalogBenchOptions, 'charts' | 'versions'>) {
  const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
  const script = join(import.meta.dirname, 'serve-synthetic.ts');
  const child = spawn(tsx, [script, String(options.charts), String(options.versions)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const [line] = (await Promise.race([once(createInterface({ input: child.stdout }), 'line'), exited])) as [unknown];
  if (typeof line !== 'string') throw new Error('the synthetic repository did not start');
  const { url, indexBytes, entries } = JSON.parse(line) as { url: string; indexBytes: number; entries: number };
  return {
    url,
    indexBytes,
    entries,
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/**
 * Measures `url` against a bare server answering the very bytes `url`
 * answered. The two alternate (baseline, target, baseline, target), each
 * round half the duration, after a 1 s warm-up each: on a shared machine the
 * load drifts, and alternating spreads the drift over both sides.
 */
async function compare(
  name: string,
  url: string,
  options: Pick<CatalogBenchOptions, 'connections' | 'durationSeconds'>,
): Promise<HttpComparison> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${name} answered ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  const round = { connections: options.connections, durationSeconds: Math.max(1, options.durationSeconds / 2) };
  const warmUp = { connections: options.connections, durationSeconds: 1 };
  const baselineServer = await serveBaseline(body);
  try {
    await measureHttp(baselineServer.url, warmUp);
    await measureHttp(url, warmUp);
    const baselines: LoadResult[] = [];
    const targets: LoadResult[] = [];
    for (let i = 0; i < 2; i += 1) {
      baselines.push(await measureHttp(baselineServer.url, round));
      targets.push(await measureHttp(url, round));
    }
    const baseline = combine(baselines);
    const target = combine(targets);
    return { name, bodyBytes: body.length, target, baseline, ratio: target.requestsPerSecond / baseline.requestsPerSecond };
  } finally {
    await baselineServer.close();
  }
}

/** Rounds of equal length as one: mean rate and p50, the worse p99, summed counts. */
function combine(results: readonly LoadResult[]): LoadResult {
  const mean = (f: (r: LoadResult) => number) => results.reduce((sum, r) => sum + f(r), 0) / results.length;
  const sum = (f: (r: LoadResult) => number) => results.reduce((total, r) => total + f(r), 0);
  return {
    requestsPerSecond: mean((r) => r.requestsPerSecond),
    p50Ms: mean((r) => r.p50Ms),
    p99Ms: Math.max(...results.map((r) => r.p99Ms)),
    requests: sum((r) => r.requests),
    errors: sum((r) => r.errors),
    non2xx: sum((r) => r.non2xx),
    bytesPerSecond: mean((r) => r.bytesPerSecond),
  };
}

/** A full GC before reading memory, without asking the caller for --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
}

function printReport(report: CatalogBenchReport, options: CatalogBenchOptions): void {
  const f = (n: number, digits = 0) => n.toFixed(digits);
  const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  console.log(`catalog benchmark: ${options.charts} charts × ${options.versions} versions = ${report.entries} entries`);
  console.log(`index.yaml ${f(report.indexBytes / 2 ** 20, 1)} MiB, node ${process.version}, ${options.connections} connections, ${options.durationSeconds} s per HTTP measurement (2 alternating rounds)`);
  console.log('');
  console.log(`load + index:  ${f(report.loadMs)} ms   (target < 2000 ms: ${verdict(report.loadMs < 2000)})`);
  console.log(
    `RSS after load: ${f(report.rssMb)} MB (before load ${f(report.rssBeforeMb)} MB, heap used ${f(report.heapUsedMb)} MB, ` +
      `peak during load ${f(report.loadPeakRssMb)} MB; target < 200 MB: ${verdict(report.rssMb < 200)})`,
  );
  console.log('');
  console.log('in-process                                   ops/s      mean µs');
  for (const r of report.inProcess) {
    console.log(`  ${r.name.padEnd(42)} ${f(r.opsPerSecond).padStart(9)} ${f(r.meanMicros, 1).padStart(12)}`);
  }
  console.log('');
  console.log('HTTP                              body      req/s     p50 ms   p99 ms   ratio');
  for (const c of report.http) {
    const row = (label: string, r: LoadResult, ratio: string) =>
      console.log(
        `  ${label.padEnd(30)} ${f(c.bodyBytes / 1024).padStart(6)}K ${f(r.requestsPerSecond).padStart(9)} ` +
          `${f(r.p50Ms, 1).padStart(9)} ${f(r.p99Ms, 1).padStart(8)}   ${ratio}` +
          (r.errors || r.non2xx ? `  (${r.errors} errors, ${r.non2xx} non-2xx)` : ''),
      );
    row(c.name, c.target, f(c.ratio, 2));
    row('  baseline (bare node:http)', c.baseline, '1.00');
  }
  const list = report.http[0];
  if (list) {
    console.log('');
    console.log(`cached list vs baseline: ${f(list.ratio, 2)}× (target ≥ 0.8: ${verdict(list.ratio >= 0.8)}); ` +
      `p99 ${f(list.target.p99Ms, 1)} ms (target < 10 ms: ${verdict(list.target.p99Ms < 10)})`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const options: CatalogBenchOptions = {
    charts: envNumber('BENCH_CHARTS', 1000),
    versions: envNumber('BENCH_VERSIONS', 20),
    durationSeconds: envNumber('BENCH_SECONDS', 5),
    connections: envNumber('BENCH_CONNECTIONS', 50),
    query: process.env.BENCH_QUERY ?? 'redis',
    // The store's REST app by default; BENCH_SERVER=minimal measures the bare stand-in over the catalog.
    ...(process.env.BENCH_SERVER === 'minimal' ? {} : { serve: serveStoreRestApp }),
  };
  runCatalogBench(options).then(
    (report) => printReport(report, options),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
