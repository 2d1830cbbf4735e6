/** Throughput of an async call in this process, for a bounded time. */
export interface InProcessResult {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly meanMicros: number;
}

/** Calls `op` back to back for `ms` milliseconds (after a short warm-up) and reports the rate. */
export async function measureInProcess(name: string, op: () => Promise<unknown>, ms = 1000): Promise<InProcessResult> {
  const warmUntil = performance.now() + Math.min(200, ms / 5);
  while (performance.now() < warmUntil) await op();
  let count = 0;
  const started = performance.now();
  const until = started + ms;
  while (performance.now() < until) {
    await op();
    count += 1;
  }
  const elapsed = performance.now() - started;
  return { name, opsPerSecond: (count * 1000) / elapsed, meanMicros: (elapsed * 1000) / count };
}
