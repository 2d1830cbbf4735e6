import { FailureLimiter } from '../../../src/identity/failure-limiter.js';

function limiter(perMinute: number, maxClients = 100) {
  const clock = { now: 1_000_000 };
  return { clock, limiter: new FailureLimiter({ perMinute, maxClients, now: () => clock.now }) };
}

test('a client may fail perMinute times; then it waits until the oldest failure is a minute old', () => {
  const { clock, limiter: l } = limiter(3);
  for (let i = 0; i < 3; i++) {
    expect(l.retryAfterSeconds('10.0.0.1')).toBeUndefined();
    expect(l.recordFailure('10.0.0.1')).toBe(i === 2);
    clock.now += 10_000;
  }
  // Failures at 0 s, 10 s, 20 s; now 30 s: blocked until 60 s.
  expect(l.retryAfterSeconds('10.0.0.1')).toBe(30);
  clock.now += 29_000;
  expect(l.retryAfterSeconds('10.0.0.1')).toBe(1);
  clock.now += 1_000;
  expect(l.retryAfterSeconds('10.0.0.1')).toBeUndefined();
  // The window slides: one more failure (the 10 s and 20 s ones still count) blocks again.
  l.recordFailure('10.0.0.1');
  expect(l.retryAfterSeconds('10.0.0.1')).toBe(10);
});

test('clients are counted apart', () => {
  const { limiter: l } = limiter(2);
  l.recordFailure('10.0.0.1');
  l.recordFailure('10.0.0.1');
  expect(l.retryAfterSeconds('10.0.0.1')).toBeGreaterThan(0);
  expect(l.retryAfterSeconds('10.0.0.2')).toBeUndefined();
});

test('0 turns the limit off', () => {
  const { limiter: l } = limiter(0);
  for (let i = 0; i < 1000; i++) expect(l.recordFailure('10.0.0.1')).toBe(false);
  expect(l.retryAfterSeconds('10.0.0.1')).toBeUndefined();
});

test('memory is bounded: beyond maxClients the least recently failing client is forgotten', () => {
  const { limiter: l } = limiter(1, 2);
  l.recordFailure('a');
  l.recordFailure('b');
  l.recordFailure('c');
  expect(['a', 'b', 'c'].map((c) => l.retryAfterSeconds(c) !== undefined)).toEqual([false, true, true]);
});
