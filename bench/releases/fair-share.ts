/**
 * Starvation, measured: one user's install latency while another user floods
 * the store with installs, against the same user's install latency on an
 * idle Tiller, in the same run. The flooder keeps `flooders` installs going
 * at once and, like a well-behaved client, waits the Retry-After of every 429
 * before trying again; the victim installs one release at a time with the
 * same pause before each as the idle baseline (TILLER_REFILL_MS), so the only
 * difference between the two is the flood. Run by `make bench`
 * (bench/run.ts); alone: `BENCH_ONLY=fair-share npx tsx bench/run.ts` after `make build`.
 */
import { api, USERS } from '../../test/integration/store.js';
import { stats, time, type Stats } from '../services.js';

type User = keyof typeof USERS;
type Call = ReturnType<typeof api>;

const TILLER_REFILL_MS = 2200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface FairShareOptions {
  readonly namespace: string;
  /** Victim installs per phase. */
  readonly rounds: number;
  /** Installs the flooder keeps going at once. */
  readonly flooders: number;
}

export interface FairShareReport {
  readonly victimIdle: Stats;
  readonly victimFlooded: Stats;
  readonly flooders: number;
  /** Flooder installs the store accepted and finished during the flood, and its refusals. */
  readonly floodInstalled: number;
  readonly floodRefused: number;
  readonly floodSeconds: number;
}

/** POST /releases until it is not a 429, waiting each Retry-After; the last answer and how many 429s came before it. */
export async function installRetrying(call: Call, user: User, body: unknown, stop: () => boolean = () => false) {
  let refused = 0;
  for (;;) {
    const res = await call('POST', '/releases', { user, body });
    if (res.status !== 429 || stop()) return { res, refused };
    refused++;
    await sleep(Number(res.headers.get('retry-after') ?? '1') * 1000);
  }
}

/** DELETE each release, a few at a time per user, through 429s. */
export async function removeAll(call: Call, releases: ReadonlyArray<{ id: string; user: User }>): Promise<void> {
  const queue = [...releases];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      for (;;) {
        const res = await call('DELETE', `/releases/${next.id}`, { user: next.user });
        if (res.status === 204) break;
        if (res.status !== 429) throw new Error(`DELETE /releases/${next.id} answered ${res.status}: ${res.text}`);
        await sleep(Number(res.headers.get('retry-after') ?? '1') * 1000);
      }
    }
  };
  await Promise.all([worker(), worker()]);
}

export async function runFairShareBench(storeUrl: string, options: FairShareOptions): Promise<FairShareReport> {
  const call = api(storeUrl);
  const body = { application: 'sample/hello', version: '1.0.0', namespace: options.namespace };
  const victim: User = 'bob';
  const flooder: User = 'carol';
  const made: Array<{ id: string; user: User }> = [];
  const victimInstall = () =>
    time(async () => {
      const res = await call('POST', '/releases', { user: victim, body });
      if (res.status !== 200) throw new Error(`the victim's POST /releases answered ${res.status}: ${res.text}`);
      made.push({ id: String(res.json.id), user: victim });
    });
  try {
    // Warm-up: the store fetches and caches the archive, as a running store would have.
    await victimInstall();
    const idle: number[] = [];
    for (let i = 0; i < options.rounds; i++) {
      await sleep(TILLER_REFILL_MS);
      idle.push(await victimInstall());
    }
    await sleep(TILLER_REFILL_MS);

    let flooding = true;
    let floodInstalled = 0;
    let floodRefused = 0;
    const floodStart = performance.now();
    const flood = Array.from({ length: options.flooders }, async () => {
      while (flooding) {
        const { res, refused } = await installRetrying(call, flooder, body, () => !flooding);
        floodRefused += refused;
        if (res.status === 200) {
          made.push({ id: String(res.json.id), user: flooder });
          floodInstalled++;
        } else if (res.status !== 429) {
          throw new Error(`the flooder's POST /releases answered ${res.status}: ${res.text}`);
        }
      }
    });
    // Let the flood reach its steady state (the store's queue and Tiller's limiter full) before measuring.
    await sleep(3000);
    const flooded: number[] = [];
    for (let i = 0; i < options.rounds; i++) {
      await sleep(TILLER_REFILL_MS);
      flooded.push(await victimInstall());
    }
    flooding = false;
    const floodSeconds = (performance.now() - floodStart) / 1000;
    await Promise.all(flood);
    return {
      victimIdle: stats(idle),
      victimFlooded: stats(flooded),
      flooders: options.flooders,
      floodInstalled,
      floodRefused,
      floodSeconds,
    };
  } finally {
    await removeAll(call, made);
  }
}
