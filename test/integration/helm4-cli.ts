/**
 * The real Helm 4 CLI (built lazily by the harness) as an outside client of the test cluster, with a HOME of its own.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureLazyPeer } from '../harness/peers.js';
import type { TestEnv } from '../harness/test-env.js';

const run = promisify(execFile);

export type Helm4 = (...args: string[]) => Promise<string>;

/** `helm4 <args>` against the test cluster; resolves with its stdout, rejects with its stderr in the message. */
export async function helm4Cli(env: TestEnv, home: string): Promise<Helm4> {
  const bin = await ensureLazyPeer('helm4', (line) => process.stderr.write(`[peers] ${line}\n`));
  return async (...args) => {
    const { stdout } = await run(bin, args, {
      env: {
        ...process.env,
        KUBECONFIG: env.cluster.kubeconfig,
        HELM_CONFIG_HOME: join(home, 'config'),
        HELM_CACHE_HOME: join(home, 'cache'),
        HELM_DATA_HOME: join(home, 'data'),
      },
    });
    return stdout;
  };
}
