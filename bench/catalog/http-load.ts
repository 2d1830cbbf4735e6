/**
 * HTTP load with autocannon, run in a worker thread so that the load
 * generator and the server under test do not share one event loop (on two
 * cores they would otherwise measure each other).
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  readonly connections: number;
  readonly durationSeconds: number;
  /** Sent with every request (e.g. a bearer token). */
  readonly headers?: Record<string, string>;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly bytesPerSecond: number;
}

/** Loads one loopback URL for a bounded time. */
export async function measureHttp(url: string, options: LoadOptions): Promise<LoadResult> {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') {
    throw new Error(`the benchmark only loads loopback addresses, not ${host}`);
  }
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.durationSeconds,
    workers: 1,
    ...(options.headers && { headers: options.headers }),
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    bytesPerSecond: result.throughput.average,
  };
}
