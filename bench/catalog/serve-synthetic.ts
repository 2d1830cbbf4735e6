/**
 * Child process of the benchmark: writes the synthetic repository and serves
 * it on loopback, so that neither generating ~13 MB of YAML nor serving it
 * counts in the memory of the process that measures the catalog. Prints one
 * JSON line ({ url, indexBytes, entries }) when ready; exits when its stdin
 * closes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveChartRepo } from '../../test/harness/serve-chart-repo.js';
import { writeSyntheticRepo } from './synthetic-repo.js';

const charts = Number(process.argv[2] ?? 1000);
const versions = Number(process.argv[3] ?? 20);
const dir = await mkdtemp(join(tmpdir(), 'catalog-bench-'));
const repo = await writeSyntheticRepo(dir, { charts, versions });
const served = await serveChartRepo(dir);
process.stdout.write(`${JSON.stringify({ url: served.url, indexBytes: repo.indexBytes, entries: repo.entries })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void served.close().then(() => rm(dir, { recursive: true, force: true })).then(() => process.exit(0));
});
