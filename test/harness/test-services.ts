/**
 * The services the integration tests run against, in a process of their own:
 * the local cluster (test/harness/cluster) and the sample chart repository over
 * HTTP. Writes the test env file, prints READY, and stops everything (and
 * removes the run's folder) on SIGTERM/SIGINT or when its stdin closes (the
 * test runner went away).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildChartRepo, SAMPLE_CHARTS_DIR } from './chart-repo.js';
import { serveChartRepo } from './serve-chart-repo.js';
import { startCluster } from './cluster.js';
import { startFaultControl, type FaultControl } from './fault-control.js';
import { providerInfo, startOidcProvider } from './oidc-provider.js';
import { testDir, writeTestEnv } from './test-env.js';

const dir = testDir();
mkdirSync(dir, { recursive: true });
const cluster = await startCluster(join(dir, 'cluster'));
const repoDir = join(dir, 'repo');
let repo: Awaited<ReturnType<typeof serveChartRepo>> | undefined;
let oidc: Awaited<ReturnType<typeof startOidcProvider>> | undefined;
let control: FaultControl | undefined;

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await repo?.close();
    await oidc?.close();
    await control?.close();
    await cluster.stop();
    // Set APPSTORE_KEEP_TEST_DIR=1 to keep the logs and data of the run.
    if (!process.env.APPSTORE_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
  }
  process.exit(code);
}
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
process.stdin.on('end', () => void stop(0));
process.stdin.resume();

try {
  await buildChartRepo(SAMPLE_CHARTS_DIR, repoDir);
  repo = await serveChartRepo(repoDir);
  oidc = await startOidcProvider();
  control = await startFaultControl(cluster);
  const { peers, ...info } = cluster;
  writeTestEnv({ cluster: { ...info, peers: { ...peers } }, repoUrl: repo.url, repoDir, oidc: providerInfo(oidc), controlUrl: control.url });
  process.stdout.write('READY\n');
} catch (err) {
  console.error(err);
  await stop(1);
}
