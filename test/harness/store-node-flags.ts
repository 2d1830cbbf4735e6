/**
 * The node flags the store runs with, as deploy/Dockerfile starts it: local
 * runs, the child-process tests and the benchmark start it the same way.
 *
 * --max-semi-space-size=4 caps V8's young generation at 3 × 4 MiB instead of
 * 3 × 16 MiB. The store allocates in small, short-lived pieces (requests,
 * a chart at a time while an index loads), so the smaller nursery costs
 * little time, and the process keeps ~20 MiB less memory that it once
 * needed (bench: `BENCH_ONLY=catalog`, the store's RSS with and without).
 */
export const STORE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
