/**
 * Starts the real peers once for all integration tests, in a child process
 * (test/harness/test-services.ts): etcd, kube-apiserver, controller-manager,
 * scheduler, kwok, Tiller v2.17 and the sample chart repository. The child
 * writes env.json into the run's own folder (APPSTORE_TEST_DIR, inherited by
 * the test workers), which the tests read.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export default async function globalSetup(): Promise<void> {
  process.env.APPSTORE_TEST_DIR ??= join(process.cwd(), '.run', `test-${process.pid}`);
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
  Object.assign(globalThis, {
    __appstoreTestServices: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  });
}
