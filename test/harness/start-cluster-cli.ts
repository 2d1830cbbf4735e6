/** Starts the local cluster in .run/cluster and keeps it up until interrupted (debug aid). */
import { join } from 'node:path';
import { startCluster } from './cluster.js';
import { runDir } from './paths.js';

const cluster = await startCluster(join(runDir, 'cluster'));
console.log(JSON.stringify({ kubeconfig: cluster.kubeconfig, helmHost: cluster.helmHost }, null, 2));
const stop = async () => {
  await cluster.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
