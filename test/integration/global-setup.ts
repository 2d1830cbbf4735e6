/**
 * Starts the real peers once for all integration tests, in a child process
 * (test/harness/test-services.ts): etcd, kube-apiserver, controller-manager,
 * scheduler, kwok, Tiller v2.17 and the sample chart repository. The child
 * writes env.json into the run's own folder (APPSTORE_TEST_DIR, inherited by
 * the test workers), which the tests read. `make bench` starts them the same
 * way (bench/services.ts). No local imports: jest loads this file without its
 * module name mapping.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface TestServicesProcess {
  /** SIGTERM, and wait until the services are down. */
  stop(): Promise<void>;
}

/** Spawns the test services into APPSTORE_TEST_DIR and waits for READY; their progress lines go to stderr. */
export async function spawnTestServices(): Promise<TestServicesProcess> {
  const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, ['test/harness/test-services.ts'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the test services exited (${code}) before they were ready`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'READY') resolve();
      else process.stderr.write(`${line}\n`);
    });
  });
  child.removeAllListeners('exit');
  return {
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export default async function globalSetup(): Promise<void> {
  process.env.APPSTORE_TEST_DIR ??= join(process.cwd(), '.run', `test-${process.pid}`);
  const services = await spawnTestServices();
  Object.assign(globalThis, { __appstoreTestServices: () => services.stop() });
}
