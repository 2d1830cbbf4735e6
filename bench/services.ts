/**
 * What the benchmarks run on: the test services (the local control plane,
 * Tiller v2.17 and the sample chart repository, as the integration tests and
 * `make run` start them) in a child process, and small statistics helpers.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTestEnv, type TestEnv } from '../test/harness/test-env.js';
import { spawnTestServices } from '../test/integration/global-setup.js';

export interface Services {
  readonly env: TestEnv;
  /** The run's folder (.run/bench-<pid>): the services' state and logs. */
  readonly dir: string;
  stop(): Promise<void>;
}

/** Starts the test services as the integration tests' globalSetup does, in their own folder under .run. */
export async function startServices(): Promise<Services> {
  const dir = join(process.cwd(), '.run', `bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  process.env.APPSTORE_TEST_DIR = dir;
  const services = await spawnTestServices();
  return { env: readTestEnv(), dir, stop: () => services.stop() };
}

/** A positive number (an integer when asked) from the environment, or the fallback when unset. */
export function envNumber(key: string, fallback: number, { integer = false } = {}): number {
  const raw = process.env[key];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${key} must be a positive ${integer ? 'integer' : 'number'}, got ${raw}`);
  }
  return value;
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
