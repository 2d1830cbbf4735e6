/**
 * What the benchmarks run on: the test services (the local control plane,
 * Tiller v2.17 and the sample chart repository, as the integration tests and
 * `make run` start them) in a child process, and small statistics helpers.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readTestEnv, type TestEnv } from '../test/harness/test-env.js';

export interface Services {
  readonly env: TestEnv;
  /** The run's folder (.run/bench-<pid>): the services' state and logs. */
  readonly dir: string;
  stop(): Promise<void>;
}

/** Starts test/harness/test-services.ts in its own folder under .run and waits for its READY line. */
export async function startServices(): Promise<Services> {
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
    dir,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Stats {
  readonly p50: number;
  readonly p99: number;
  readonly n: number;
}

/** p50 and p99 (nearest rank) of a sample. */
export function stats(xs: readonly number[]): Stats {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), n: sorted.length };
}

/** How long `op` takes, in milliseconds. */
export async function time(op: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await op();
  return performance.now() - started;
}

/** Times `op` `n` times in a row, in milliseconds. */
export async function timeEach(n: number, op: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await time(() => op(i)));
  return times;
}

/** Resident set size now and at its peak (VmHWM) of a process, in MiB, from /proc. */
export function processMemory(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kib('VmRSS') / 1024, peakRssMb: kib('VmHWM') / 1024 };
}
