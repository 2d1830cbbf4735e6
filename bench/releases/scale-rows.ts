/**
 * The scale scenario's rows for docs/BENCHMARKS.md: each figure at the
 * largest size beside the same at the smallest, and their ratio, which is
 * what shows whether a cost grows with everything stored.
 */
import type { Latency, ScaleFigures, ScaleReport } from './scale.js';
import type { Stats } from '../services.js';

const f = (n: number, digits = 0) => n.toFixed(digits);
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
const latency = (l: Latency) =>
  `${f(l.p50Ms, 1)} / ${f(l.p99Ms, 1)} ms, ${f(l.requestsPerSecond)} req/s${l.non2xx > 0 ? ` (${l.non2xx} of ${l.requests} answers not 2xx)` : ''}`;
const times = (s: Stats) => `${f(s.p50, 1)} / ${f(s.p99, 1)} ms`;
const ratio = (big: number, small: number) => (small > 0 ? `${f(big / small, 2)}×` : '–');

export function scaleRows(report: ScaleReport): string[][] {
  const small = report.sizes[0];
  const big = report.sizes.at(-1);
  if (!small || !big) return [];
  const n = (s: ScaleFigures) => `${s.releases} releases`;
  const listRatio = big.listSmall.p50Ms / small.listSmall.p50Ms;
  return [
    [
      `GET /releases, a user with 10 releases (p50 / p99), ${n(big)} vs ${n(small)}`,
      latency(big.listSmall),
      latency(small.listSmall),
      ratio(big.listSmall.p50Ms, small.listSmall.p50Ms),
      `≤ 1.5×: ${verdict(listRatio <= 1.5)}`,
    ],
    [
      `GET /releases, a user who sees ${big.wideCount} (${small.wideCount} at ${small.releases}) through 10 groups`,
      latency(big.listWide),
      latency(small.listWide),
      ratio(big.listWide.p50Ms, small.listWide.p50Ms),
      '',
    ],
    ['GET /releases/{id}', latency(big.get), latency(small.get), ratio(big.get.p50Ms, small.get.p50Ms), ''],
    [
      'GET /releases/{id}/status (the stored revision from the watch-fed cache of Tiller\'s Secrets, live objects from the API server)',
      latency(big.status),
      latency(small.status),
      ratio(big.status.p50Ms, small.status.p50Ms),
      '',
    ],
    ['GET /releases/{id}/history (from the watch-fed cache of Tiller\'s Secrets)', latency(big.history), latency(small.history), ratio(big.history.p50Ms, small.history.p50Ms), ''],
    ['GET /metrics, one scrape at a time', times(big.metrics), times(small.metrics), ratio(big.metrics.p50, small.metrics.p50), ''],
    ['the store\'s RSS after the load', `${f(big.rssMb)} MiB`, `${f(small.rssMb)} MiB`, ratio(big.rssMb, small.rssMb), ''],
    [
      'API server requests for Secrets per minute while idle (every client; /metrics scraped every 15 s)',
      f(big.idleRequestsPerMinute, 1),
      f(small.idleRequestsPerMinute, 1),
      '',
      `near zero: ${verdict(big.idleRequestsPerMinute <= 2)}`,
    ],
    ['a full reconciliation pass (records from the API server, every Tiller release)', times(big.reconcileFull), times(small.reconcileFull), ratio(big.reconcileFull.p50, small.reconcileFull.p50), ''],
    [
      'a short pass (at start, on watch events: pending and deleting records, from the cache)',
      times(big.reconcileUnsettled),
      times(small.reconcileUnsettled),
      ratio(big.reconcileUnsettled.p50, small.reconcileUnsettled.p50),
      '',
    ],
    ['the store\'s start, until ready', `${f(big.startMs)} ms`, `${f(small.startMs)} ms`, ratio(big.startMs, small.startMs), ''],
  ];
}
