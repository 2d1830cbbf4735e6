/**
 * The Helm 4 engine (engine/) in `make bench`, each figure against a baseline of the same run on the same cluster:
 * - POST /releases of a store on the engine against `helm install` of the Helm 4 CLI (same chart archive, same
 *   namespace), interleaved round by round; and the engine's own InstallRelease called directly (the floor of both);
 * - a batch of concurrent InstallRelease calls (the store's client, no store in front) to the engine against the
 *   same batch to Tiller v2.17;
 * - the engine's resident memory idle and at its peak after that batch.
 * The engine runs with the flags deploy/ gives it, started here beside the test services' Tiller.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadChartArchive } from '../../src/charts/index.js';
import { TillerClient } from '../../src/tiller/index.js';
import { freePort, waitFor } from '../../test/harness/net.js';
import { ensureLazyPeer } from '../../test/harness/peers.js';
import { ProcessGroup } from '../../test/harness/processes.js';
import type { TestEnv } from '../../test/harness/test-env.js';
import { startChildStore } from '../../test/integration/operate-child-store.js';
import { api } from '../../test/integration/store.js';
import { processMemory, stats, time, type Stats } from '../services.js';

const run = promisify(execFile);

export interface EngineBenchOptions {
  readonly rounds: number;
  readonly concurrent: number;
  /** The namespace installed into; both stores may deploy there. */
  readonly namespace: string;
  /** Where the engine's log goes. */
  readonly dir: string;
}

export interface EngineBenchReport {
  readonly engineVersion: string;
  readonly install: { readonly store: Stats; readonly helm4: Stats; readonly engine: Stats };
  readonly concurrent: {
    readonly n: number;
    readonly engineSucceeded: number;
    readonly engineMs: number;
    readonly tillerSucceeded: number;
    readonly tillerMs: number;
  };
  readonly memory: { readonly idleMb: number; readonly peakMb: number };
}

export async function runEngineBench(env: TestEnv, options: EngineBenchOptions): Promise<EngineBenchReport> {
  const { namespace, rounds } = options;
  const progress = (line: string) => console.error(`[bench] ${line}`);
  const [engineBin, helm4Bin] = [await ensureLazyPeer('appstore-engine', progress), await ensureLazyPeer('helm4', progress)];
  const logs = join(options.dir, 'engine');
  mkdirSync(logs, { recursive: true });
  const procs = new ProcessGroup(logs);
  const address = `127.0.0.1:${await freePort()}`;
  const started = procs.start('appstore-engine', engineBin, [`-listen=${address}`, `-kubeconfig=${env.cluster.kubeconfig}`]);
  const engine = new TillerClient(address, { readTimeoutMs: 5000 });
  const tiller = new TillerClient(env.cluster.helmHost);
  const store = await startChildStore(env, {
    namespace: 'appstore-bench-engine',
    deployNamespaces: [namespace],
    compiled: true,
    logFile: join(logs, 'store.log'),
    extraEnv: { HELM_HOST: address },
  });
  const helm4Home = join(options.dir, 'helm4-home');
  const helm4 = (...args: string[]) =>
    run(helm4Bin, args, {
      env: {
        ...process.env,
        KUBECONFIG: env.cluster.kubeconfig,
        HELM_CONFIG_HOME: join(helm4Home, 'config'),
        HELM_CACHE_HOME: join(helm4Home, 'cache'),
        HELM_DATA_HOME: join(helm4Home, 'data'),
      },
    });
  const call = api(store.url);
  const install = async () => {
    const res = await call('POST', '/releases', { user: 'alice', body: { application: 'sample/hello', version: '1.0.0', namespace } });
    if (res.status !== 200) throw new Error(`POST /releases on the engine answered ${res.status}: ${res.text}`);
    return String(res.json.id);
  };
  const remove = async (id: string) => {
    const res = await call('DELETE', `/releases/${id}`, { user: 'alice' });
    if (res.status !== 204) throw new Error(`DELETE /releases/${id} answered ${res.status}: ${res.text}`);
  };
  try {
    await waitFor('the engine to answer GetVersion', async () => (await engine.version()) !== '', 60_000, () => procs.tail('appstore-engine'));
    const enginePid = childPid(started.child.pid!);
    const archivePath = join(env.repoDir, 'hello-1.0.0.tgz');
    const chart = await loadChartArchive(readFileSync(archivePath));

    // Warm-up of each side: the store caches the archive; the engine and the CLI have a first call behind them.
    await remove(await install());
    await helm4('install', 'cli-warm', archivePath, '-n', namespace);
    await helm4('uninstall', 'cli-warm', '-n', namespace);
    const idleMb = processMemory(enginePid).rssMb;

    const times = { store: [] as number[], helm4: [] as number[], engine: [] as number[] };
    const ids: string[] = [];
    for (let i = 0; i < rounds; i++) {
      times.store.push(await time(async () => ids.push(await install())));
      times.helm4.push(await time(() => helm4('install', `cli-${i}`, archivePath, '-n', namespace)));
      times.engine.push(await time(() => engine.install({ chart, name: `direct-${i}`, namespace })));
    }
    for (const id of ids) await remove(id);
    for (let i = 0; i < rounds; i++) {
      await helm4('uninstall', `cli-${i}`, '-n', namespace);
      await engine.uninstall(`direct-${i}`, { purge: true });
    }

    // The same batch of concurrent installs, to the engine and to Tiller, each through the store's own client.
    const batch = async (client: TillerClient, prefix: string) => {
      const begin = performance.now();
      const results = await Promise.allSettled(
        Array.from({ length: options.concurrent }, (_, i) => client.install({ chart, name: `${prefix}-${i}`, namespace })),
      );
      const ms = performance.now() - begin;
      for (let i = 0; i < options.concurrent; i++) await client.uninstall(`${prefix}-${i}`, { purge: true }).catch(() => undefined);
      return { ok: results.filter((r) => r.status === 'fulfilled').length, ms };
    };
    const onEngine = await batch(engine, 'batch-engine');
    const peakMb = processMemory(enginePid).peakRssMb;
    // Tiller's storage limiter refills (10 requests at 5 a second) before its batch, as the engine's had nothing to wait for.
    await new Promise((resolve) => setTimeout(resolve, 2200));
    const onTiller = await batch(tiller, 'batch-tiller');

    return {
      engineVersion: await engine.version(),
      install: { store: stats(times.store), helm4: stats(times.helm4), engine: stats(times.engine) },
      concurrent: { n: options.concurrent, engineSucceeded: onEngine.ok, engineMs: onEngine.ms, tillerSucceeded: onTiller.ok, tillerMs: onTiller.ms },
      memory: { idleMb, peakMb },
    };
  } finally {
    await store.kill();
    engine.close();
    tiller.close();
    await procs.stopAll();
  }
}

/** The process the harness's watchdog shell started (its only child). */
function childPid(shellPid: number): number {
  for (const task of readdirSync(`/proc/${shellPid}/task`)) {
    const children = readFileSync(`/proc/${shellPid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    const first = children.map(Number).find((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('appstore-engine'));
    if (first !== undefined) return first;
  }
  throw new Error(`no engine process under ${shellPid}`);
}
