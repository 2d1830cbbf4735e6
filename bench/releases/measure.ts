/**
 * The releases benchmark, run by `make bench` (bench/run.ts) against a store
 * started there. On the local control plane and Tiller it measures, each
 * against a baseline in the same run:
 * - POST /releases end to end against `helm install` (the Helm v2 CLI, same
 *   chart from the same repository, same Tiller), interleaved round by round,
 *   on an idle Tiller and back to back; and Tiller's own InstallRelease
 *   called directly (the floor of both);
 * - concurrent installs through the store against as many concurrent
 *   `helm install` processes;
 * - GET /releases/{id}/status of a release of 20 resources against
 *   `helm status` of the same release.
 * Only loopback addresses; every loop is bounded.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadChartArchive } from '../../src/charts/index.js';
import { TillerClient } from '../../src/tiller/index.js';
import { buildChartRepo } from '../../test/harness/chart-repo.js';
import { serveChartRepo } from '../../test/harness/serve-chart-repo.js';
import type { TestEnv } from '../../test/harness/test-env.js';
import { api } from '../../test/integration/store.js';
import { stats, time, timeEach, type Stats } from '../services.js';
import { installRetrying } from './fair-share.js';

const run = promisify(execFile);

/**
 * Tiller v2.17 sends all of its storage requests (an install makes four) through one Kubernetes client at
 * client-go's defaults, 5 requests a second with a burst of 10, with no flag to change it; once the burst is spent
 * each request waits ~200 ms. Pausing this long before an install gives it the full burst, as a Tiller that is not
 * busy has; the back-to-back phase shows the other case.
 */
const TILLER_REFILL_MS = 2200;
const refill = () => new Promise((resolve) => setTimeout(resolve, TILLER_REFILL_MS));

export interface ReleasesBenchOptions {
  /** Sequential installs per side. */
  readonly rounds: number;
  readonly concurrent: number;
  readonly statusCalls: number;
  /** The namespace installed into; the store must be allowed to deploy there. */
  readonly namespace: string;
}

export interface ReleasesBenchReport {
  readonly tillerVersion: string;
  readonly install: {
    /** Each install on an idle Tiller: its storage client's rate limiter has its burst available. */
    readonly idle: { readonly store: Stats; readonly helm: Stats; readonly tiller: Stats };
    /** Store and helm installs alternating without pause: every install waits for the limiter. */
    readonly backToBack: { readonly store: Stats; readonly helm: Stats };
  };
  readonly concurrent: {
    readonly n: number;
    readonly storeSucceeded: number;
    /** 429s the store answered (one user has at most APPSTORE_MAX_CHANGES_IN_FLIGHT_PER_USER changes in flight); each retried after its Retry-After. */
    readonly storeRefused: number;
    readonly storeMs: number;
    readonly helmSucceeded: number;
    readonly helmMs: number;
  };
  readonly status: { readonly resources: number; readonly store: Stats; readonly helm: Stats };
}

/** A chart of 20 objects (Deployments, Services, ConfigMaps) in a repository of its own, for the status measurement. */
export async function serveManyChart() {
  const src = mkdtempSync(join(tmpdir(), 'bench-charts-'));
  const chart = join(src, 'many');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v1\nname: many\nversion: 0.1.0\ndescription: twenty objects\n');
  writeFileSync(join(chart, 'values.yaml'), 'count: 6\n');
  const objects = [
    ...Array.from({ length: 7 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm-${i}\ndata:\n  i: "${i}"\n`),
    ...Array.from({ length: 7 }, (_, i) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-svc-${i}\nspec:\n  selector:\n    app: {{ .Release.Name }}-${i}\n  ports:\n    - port: 80\n`),
    ...Array.from({ length: 6 }, (_, i) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-dep-${i}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: {{ .Release.Name }}-${i}\n  template:\n    metadata:\n      labels:\n        app: {{ .Release.Name }}-${i}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.25\n`,
    ),
  ];
  writeFileSync(join(chart, 'templates', 'objects.yaml'), objects.join('---\n'));
  const out = mkdtempSync(join(tmpdir(), 'bench-repo-'));
  await buildChartRepo(src, out);
  return serveChartRepo(out);
}

/**
 * Runs the measurements against the store at `storeUrl`, which serves the
 * sample repository as `sample` and {@link serveManyChart}'s as `many`.
 */
export async function runReleasesBench(
  env: TestEnv,
  storeUrl: string,
  manyRepoUrl: string,
  options: ReleasesBenchOptions,
): Promise<ReleasesBenchReport> {
  const { namespace } = options;
  const call = api(storeUrl);
  const tiller = new TillerClient(env.cluster.helmHost);
  const helmHome = mkdtempSync(join(tmpdir(), 'helm-home-'));
  const helm = (...args: string[]) =>
    run(env.cluster.peers.helm ?? 'helm', ['--host', env.cluster.helmHost, ...args], {
      env: { ...process.env, HELM_HOME: helmHome, KUBECONFIG: env.cluster.kubeconfig },
    });
  const install = async (body: unknown) => {
    const res = await call('POST', '/releases', { user: 'alice', body });
    if (res.status !== 200) throw new Error(`POST /releases answered ${res.status}: ${res.text}`);
    return String(res.json.id);
  };
  const remove = async (id: string) => {
    const res = await call('DELETE', `/releases/${id}`, { user: 'alice' });
    if (res.status !== 204) throw new Error(`DELETE /releases/${id} answered ${res.status}: ${res.text}`);
  };
  const hello = { application: 'sample/hello', version: '1.0.0', namespace };
  try {
    await helm('init', '--client-only', '--skip-repos');
    await helm('repo', 'add', 'sample', env.repoUrl);
    await helm('repo', 'add', 'many', manyRepoUrl);

    // Warm-up of both sides: the store fetches and caches the archive, as a running store would have; helm and
    // Tiller get their first call behind them.
    await remove(await install(hello));
    await helm('install', 'sample/hello', '--version', '1.0.0', '--name', 'cli-warm', '--namespace', namespace);
    await helm('delete', '--purge', 'cli-warm');

    // Sequential installs, interleaved so that drift of the machine's load spreads over both sides; each one starts on
    // an idle Tiller (see TILLER_REFILL_MS), then back to back, where every install waits for Tiller's rate limiter.
    const storeIds: string[] = [];
    const helmNames: string[] = [];
    const storeInstall = () => time(async () => storeIds.push(await install(hello)));
    const helmInstall = () => {
      const name = `cli-${helmNames.length}`;
      helmNames.push(name);
      return time(() => helm('install', 'sample/hello', '--version', '1.0.0', '--name', name, '--namespace', namespace));
    };
    const idle = { store: [] as number[], helm: [] as number[], tiller: [] as number[] };
    const backToBack = { store: [] as number[], helm: [] as number[] };
    for (let i = 0; i < options.rounds; i++) {
      await refill();
      idle.store.push(await storeInstall());
      await refill();
      idle.helm.push(await helmInstall());
    }
    await refill();
    for (let i = 0; i < options.rounds; i++) {
      backToBack.store.push(await storeInstall());
      backToBack.helm.push(await helmInstall());
    }
    for (const id of storeIds) await remove(id);
    for (const name of helmNames) await helm('delete', '--purge', name);

    // Tiller's own install of the same chart on an idle Tiller, without the store or the CLI around it.
    const archive = Buffer.from(await (await fetch(`${env.repoUrl}/hello-1.0.0.tgz`)).arrayBuffer());
    const chart = await loadChartArchive(archive);
    for (let i = 0; i < options.rounds; i++) {
      await refill();
      idle.tiller.push(await time(() => tiller.install({ chart, name: `direct-${i}`, namespace })));
    }
    for (let i = 0; i < options.rounds; i++) await tiller.uninstall(`direct-${i}`, { purge: true });
    await refill();

    // Concurrent installs: the store (one user, retrying its 429s as a client should), then as many helm processes at once.
    let started = performance.now();
    const concurrentStore = await Promise.all(Array.from({ length: options.concurrent }, () => installRetrying(call, 'alice', hello)));
    const storeMs = performance.now() - started;
    const storeOk = concurrentStore.map((r) => r.res).filter((r) => r.status === 200);
    for (const r of storeOk) await remove(String(r.json.id));
    await refill();
    started = performance.now();
    const concurrentHelm = await Promise.allSettled(
      Array.from({ length: options.concurrent }, (_, i) =>
        helm('install', 'sample/hello', '--version', '1.0.0', '--name', `cli-c-${i}`, '--namespace', namespace),
      ),
    );
    const helmMs = performance.now() - started;
    for (let i = 0; i < options.concurrent; i++) await helm('delete', '--purge', `cli-c-${i}`).catch(() => undefined);

    // Status of a 20-object release: the store's GET /status and `helm status` of the same release.
    const many = await install({ application: 'many/many', namespace });
    let resources = 0;
    const statusTimes = await timeEach(options.statusCalls, async () => {
      const res = await call('GET', `/releases/${many}/status`, { user: 'alice' });
      if (res.status !== 200) throw new Error(`status answered ${res.status}: ${res.text}`);
      resources = (res.json.resources as unknown[]).length;
    });
    await refill();
    const helmStatusTimes = await timeEach(Math.min(options.statusCalls, 20), () => helm('status', many));
    await remove(many);

    return {
      tillerVersion: await tiller.version(),
      install: {
        idle: { store: stats(idle.store), helm: stats(idle.helm), tiller: stats(idle.tiller) },
        backToBack: { store: stats(backToBack.store), helm: stats(backToBack.helm) },
      },
      concurrent: {
        n: options.concurrent,
        storeSucceeded: storeOk.length,
        storeRefused: concurrentStore.reduce((n, r) => n + r.refused, 0),
        storeMs,
        helmSucceeded: concurrentHelm.filter((r) => r.status === 'fulfilled').length,
        helmMs,
      },
      status: { resources, store: stats(statusTimes), helm: stats(helmStatusTimes) },
    };
  } finally {
    tiller.close();
  }
}
