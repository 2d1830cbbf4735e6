/**
 * The checkout's root. The harness runs from make, jest and CI, all started
 * at the root; APPSTORE_ROOT overrides. (Neither __dirname nor import.meta
 * works in both the ESM build and jest's CommonJS transform.)
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(process.env.APPSTORE_ROOT ?? process.cwd());

if (!existsSync(join(repoRoot, 'test', 'cluster'))) {
  throw new Error(`${repoRoot} is not the appstore checkout: run from its root or set APPSTORE_ROOT`);
}

/** Where `make run` keeps its state (kubeconfig, logs, data). */
export const runDir = join(repoRoot, '.run');
