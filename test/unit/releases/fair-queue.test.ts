/**
 * The fair queue in front of the engine: lanes served round-robin under a
 * global concurrency, and the Tiller budget that keeps a reserve for a user
 * who is not busy.
 */
import { FairQueue } from '../../../src/releases/fair-queue.js';
import { TillerBudget } from '../../../src/releases/tiller-budget.js';

/** A job that runs until released, recording when it started. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { run: async () => { log.push(name); await done; }, release };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('FairQueue', () => {
  test("a user's backlog does not sit ahead of another user's single job", async () => {
    const queue = new FairQueue({ concurrency: 1 });
    const started: string[] = [];
    const jobs = ['a1', 'a2', 'a3', 'a4'].map((n) => gate(started, n));
    const victim = gate(started, 'b1');
    const settled = jobs.map((j) => queue.run('alice', 1, j.run));
    await flush();
    const b = queue.run('bob', 1, victim.run);
    jobs[0]!.release();
    await flush();
    // After alice's running job, bob's lane is next, before the rest of alice's backlog.
    expect(started).toEqual(['a1', 'b1']);
    victim.release();
    for (const j of jobs) j.release();
    await Promise.all([...settled, b]);
    expect(started).toEqual(['a1', 'b1', 'a2', 'a3', 'a4']);
  });

  test('never runs more than its concurrency at once, and a failing job frees its slot', async () => {
    const queue = new FairQueue({ concurrency: 2 });
    let running = 0;
    let most = 0;
    const job = (fail: boolean) => async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      if (fail) throw new Error('boom');
    };
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => queue.run(`u${i % 3}`, 1, job(i % 2 === 0))));
    expect(most).toBe(2);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(4);
    expect(queue.waiting).toBe(0);
  });
});

describe('TillerBudget', () => {
  let now = 0;
  const budget = () => new TillerBudget({ rate: 5, burst: 10, reserve: 5, now: () => now });
  beforeEach(() => (now = 0));

  test('a busy user must leave the reserve; a quiet user may spend it', () => {
    const b = budget();
    expect(b.allows('flood', 5)).toBe(true);
    b.spend('flood', 5);
    // 5 left: the flooder, busy now, must wait for 10 (1 s at 5/s); bob, quiet, may start at once.
    expect(b.allows('flood', 5)).toBe(false);
    expect(b.msUntil('flood', 5)).toBe(1000);
    expect(b.allows('bob', 5)).toBe(true);
    now = 1000;
    expect(b.allows('flood', 5)).toBe(true);
  });

  test('refills at its rate up to its burst, and reads may put it into debt', () => {
    const b = budget();
    b.charge(12);
    expect(b.msUntil('bob', 5)).toBe(1400);
    now = 60_000;
    b.spend('bob', 10);
    expect(b.allows('carol', 1)).toBe(false);
  });

  test('a user quiet for a refill period counts as quiet again', () => {
    const b = budget();
    b.spend('flood', 5);
    now = 1999;
    b.charge(4);
    expect(b.allows('flood', 5)).toBe(false);
    now = 2000;
    expect(b.allows('flood', 5)).toBe(true);
  });
});

describe('FairQueue with a TillerBudget', () => {
  test("the flooder waits for the reserve while another user's change starts at once", async () => {
    jest.useFakeTimers();
    try {
      const budget = new TillerBudget({ rate: 5, burst: 10, reserve: 5 });
      const queue = new FairQueue({ concurrency: 4, budget });
      const started: string[] = [];
      const flood = [1, 2, 3].map((i) => queue.run('flood', 5, async () => void started.push(`f${i}`)));
      await jest.advanceTimersByTimeAsync(0);
      expect(started).toEqual(['f1']);
      const victim = queue.run('bob', 5, async () => void started.push('b1'));
      await jest.advanceTimersByTimeAsync(0);
      expect(started).toEqual(['f1', 'b1']);
      // The bucket is empty now: the flooder's next change waits until it is full again (2 s at 5/s).
      await jest.advanceTimersByTimeAsync(1900);
      expect(started).toEqual(['f1', 'b1']);
      await jest.advanceTimersByTimeAsync(200);
      expect(started).toEqual(['f1', 'b1', 'f2']);
      await jest.advanceTimersByTimeAsync(1100);
      expect(started).toEqual(['f1', 'b1', 'f2', 'f3']);
      await Promise.all([...flood, victim]);
    } finally {
      jest.useRealTimers();
    }
  });
});
