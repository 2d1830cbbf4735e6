/**
 * The releases benchmark: `npx tsx bench/releases/run.ts` (or `make bench`).
 *
 * On the local control plane and Tiller it measures, in one run:
 * - POST /releases end to end against `helm install` (the Helm v2 CLI, same
 *   chart from the same repository, same Tiller), interleaved, and prints the
 *   ratio of their medians (target ≤ 0.7);
 * - 20 concurrent installs (all must succeed);
 * - GET /releases/{id}/status of a release of 20 resources (target p50 < 50 ms).
 * Only loopback addresses; every loop is bounded.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { loadChartArchive } from '../../src/charts/index.js';
import { buildChartRepo } from '../../test/harness/chart-repo.js';
import { serveChartRepo } from '../../test/harness/serve-chart-repo.js';
import { readTestEnv, type TestEnv } from '../../test/harness/test-env.js';
import { ensureNamespace, kubeClients } from '../../test/integration/kube.js';
import { api, startStore } from '../../test/integration/store.js';

const run = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const CONCURRENT = 20;
const STATUS_CALLS = Number(process.env.BENCH_STATUS_CALLS ?? 200);
const namespace = 'bench';

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}
const stats = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), n: sorted.length };
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function startServices(): Promise<{ env: TestEnv; stop: () => Promise<void> }> {
  const dir = join(process.cwd(), '.run', `bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  process.env.APPSTORE_TEST_DIR = dir;
  const child = spawn(join('node_modules', '.bin', 'tsx'), ['test/harness/test-services.ts'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: process.env,
  });
  await new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`test services exited (${code})`)));
    createInterface({ input: child.stdout }).on('line', (line) => (line === 'READY' ? resolve() : console.error(line)));
  });
  child.removeAllListeners('exit');
  return {
    env: readTestEnv(),
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A chart of 20 objects (Deployments, Services, ConfigMaps), for the status measurement. */
async function serveManyChart() {
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

async function main(): Promise<void> {
  const services = await startServices();
  const { env } = services;
  const kube = kubeClients(env);
  await ensureNamespace(kube, namespace);
  const many = await serveManyChart();
  const running = await startStore(env, {
    namespace: 'appstore-bench',
    deployNamespaces: [namespace],
    extraEnv: { APPSTORE_REPOS: `sample=${env.repoUrl},bench=${many.url}` },
  });
  const call = api(running.url);
  const helmHome = mkdtempSync(join(tmpdir(), 'helm-home-'));
  const helm = (...args: string[]) =>
    run(env.cluster.peers.helm ?? 'helm', ['--host', env.cluster.helmHost, ...args], {
      env: { ...process.env, HELM_HOME: helmHome, KUBECONFIG: env.cluster.kubeconfig },
    });
  await helm('init', '--client-only', '--skip-repos');
  await helm('repo', 'add', 'sample', env.repoUrl);
  const installBody = { application: 'sample/hello', version: '1.0.0', namespace };

  try {
    // Warm-up: the first install fetches and caches the archive, as a running store would have.
    const warm = await call('POST', '/releases', { user: 'alice', body: installBody });
    await call('DELETE', `/releases/${String(warm.json.id)}`, { user: 'alice' });

    const store: number[] = [];
    const cli: number[] = [];
    const storeIds: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      let t = performance.now();
      const res = await call('POST', '/releases', { user: 'alice', body: installBody });
      store.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`install failed: ${res.status} ${res.text}`);
      storeIds.push(String(res.json.id));
      t = performance.now();
      await helm('install', 'sample/hello', '--version', '1.0.0', '--name', `cli-${i}`, '--namespace', namespace);
      cli.push(performance.now() - t);
    }
    for (const id of storeIds) await call('DELETE', `/releases/${id}`, { user: 'alice' });
    for (let i = 0; i < ROUNDS; i++) await helm('delete', '--purge', `cli-${i}`);

    const t0 = performance.now();
    const concurrent = await Promise.all(
      Array.from({ length: CONCURRENT }, () => call('POST', '/releases', { user: 'alice', body: installBody })),
    );
    const concurrentMs = performance.now() - t0;
    const succeeded = concurrent.filter((r) => r.status === 200);
    for (const r of succeeded) await call('DELETE', `/releases/${String(r.json.id)}`, { user: 'alice' });

    const big = await call('POST', '/releases', { user: 'alice', body: { application: 'bench/many', namespace } });
    if (big.status !== 200) throw new Error(`install of many failed: ${big.status} ${big.text}`);
    const bigId = String(big.json.id);
    const statusTimes: number[] = [];
    let resources = 0;
    for (let i = 0; i < STATUS_CALLS; i++) {
      const t = performance.now();
      const res = await call('GET', `/releases/${bigId}/status`, { user: 'alice' });
      statusTimes.push(performance.now() - t);
      resources = (res.json.resources as unknown[]).length;
    }
    // For comparison: what a status would cost if it asked Tiller (GetReleaseContent) instead of reading its storage.
    const contentTimes: number[] = [];
    for (let i = 0; i < Math.min(STATUS_CALLS, 50); i++) {
      const t = performance.now();
      await running.store.tiller.content(bigId);
      contentTimes.push(performance.now() - t);
    }
    await call('DELETE', `/releases/${bigId}`, { user: 'alice' });

    // Tiller's own install time for the same chart, without the store or the CLI around it: the floor of both.
    const chart = await loadChartArchive(Buffer.from(await (await fetch(`${env.repoUrl}/hello-1.0.0.tgz`)).arrayBuffer()));
    const tillerTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      await running.store.tiller.install({ chart, name: `direct-${i}`, namespace });
      tillerTimes.push(performance.now() - t);
    }
    for (let i = 0; i < ROUNDS; i++) await running.store.tiller.uninstall(`direct-${i}`, { purge: true });

    const s = stats(store);
    const c = stats(cli);
    const st = stats(statusTimes);
    const ct = stats(contentTimes);
    const tt = stats(tillerTimes);
    const ratio = s.p50 / c.p50;
    const lines = [
      `# Releases benchmark`,
      ``,
      `Machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; Tiller ${await running.store.tiller.version()}; ${new Date().toISOString().slice(0, 10)}.`,
      `Reproduce: \`npx tsx bench/releases/run.ts\` (BENCH_ROUNDS, BENCH_STATUS_CALLS).`,
      ``,
      `| measurement | p50 | p99 | n | target |`,
      `| --- | --- | --- | --- | --- |`,
      `| POST /releases (hello 1.0.0) | ${ms(s.p50)} | ${ms(s.p99)} | ${s.n} | |`,
      `| helm install (v2 CLI, baseline) | ${ms(c.p50)} | ${ms(c.p99)} | ${c.n} | |`,
      `| Tiller InstallRelease alone (the floor of both) | ${ms(tt.p50)} | ${ms(tt.p99)} | ${tt.n} | |`,
      `| ratio POST /releases ÷ helm install (p50) | ${ratio.toFixed(2)}× | | | ≤ 0.7× ${ratio <= 0.7 ? 'met' : 'NOT met'} |`,
      `| ${CONCURRENT} concurrent installs | ${succeeded.length}/${CONCURRENT} succeeded in ${ms(concurrentMs)} | | | all succeed ${succeeded.length === CONCURRENT ? 'met' : 'NOT met'} |`,
      `| GET /releases/{id}/status, ${resources} resources | ${ms(st.p50)} | ${ms(st.p99)} | ${st.n} | p50 < 50 ms ${st.p50 < 50 ? 'met' : 'NOT met'} |`,
      `| Tiller GetReleaseContent (not on the status path) | ${ms(ct.p50)} | ${ms(ct.p99)} | ${ct.n} | |`,
      ``,
      `Tiller alone takes ${(tt.p50 / c.p50).toFixed(2)}× of helm install: no client of this Tiller can go below that ratio.`,
      `(Tiller v2.17's Kubernetes client runs at client-go's default 5 requests/s, so its calls wait in 200 ms steps.)`,
      ``,
      `RSS of the benchmark process (store in-process): ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB.`,
    ];
    console.log(lines.join('\n'));
    mkdirSync('docs', { recursive: true });
    writeFileSync(join('docs', 'BENCHMARKS-releases.md'), `${lines.join('\n')}\n`);
  } finally {
    await running.stop();
    await many.close();
    await services.stop();
  }
}

await main();
