/** Tiller call logs and metrics: one line per call, with the id of the request that caused it. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { createAuditLog } from '../../../src/identity/audit.js';
import { Metrics } from '../../../src/observability/metrics.js';
import { currentRequestId, withRequestId } from '../../../src/observability/request-scope.js';
import { observeTillerCalls } from '../../../src/observability/tiller-calls.js';
import { AppStoreError } from '../../../src/domain/errors.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: pino({ level: 'debug' }, stream) };
}

test('the request id follows async work started within its scope, and only that', async () => {
  expect(currentRequestId()).toBeUndefined();
  const seen = await withRequestId('req-1', async () => {
    await new Promise((r) => setTimeout(r, 1));
    return currentRequestId();
  });
  expect(seen).toBe('req-1');
  expect(currentRequestId()).toBeUndefined();
});

test('a change is logged at info with its request id, captured when the call started', async () => {
  const { lines, log } = capture();
  const observe = observeTillerCalls(log);
  const done = withRequestId('req-7', () => observe('install'));
  // The call ends outside the request's context (grpc-js callbacks do).
  done();
  expect(lines).toEqual([expect.objectContaining({ level: 30, requestId: 'req-7', operation: 'install', msg: 'tiller call' })]);
  expect(typeof lines[0]?.ms).toBe('number');
});

test('reads are logged at debug; failures at warn with their code, NotFound at info', () => {
  const { lines, log } = capture();
  const observe = observeTillerCalls(log);
  observe('history')();
  observe('upgrade')(new AppStoreError('Unavailable', 'Tiller is unavailable'));
  observe('content')(new AppStoreError('NotFound', 'no such release'));
  expect(lines.map((l) => [l.level, l.operation, l.code, l.msg])).toEqual([
    [20, 'history', undefined, 'tiller call'],
    [40, 'upgrade', 'Unavailable', 'tiller call failed'],
    [30, 'content', 'NotFound', 'tiller call failed'],
  ]);
});

test('the observer feeds the Tiller metrics', async () => {
  const { log } = capture();
  const metrics = new Metrics({ defaultMetrics: false });
  const observe = observeTillerCalls(log, metrics);
  observe('uninstall')(new AppStoreError('Unavailable', 'down'));
  const text = await metrics.text();
  expect(text).toContain('appstore_tiller_call_errors_total{operation="uninstall",code="Unavailable"} 1');
  expect(text).toContain('appstore_tiller_call_duration_seconds_count{operation="uninstall",outcome="error"} 1');
});

test('audit records made within a request carry its id', () => {
  const { lines, log } = capture();
  const audit = createAuditLog(log);
  withRequestId('req-9', () => audit.record({ action: 'delete', releaseId: 'r', outcome: 'denied', reason: 'no' }));
  audit.record({ action: 'delete', releaseId: 'r', outcome: 'denied', reason: 'no' });
  expect(lines.map((l) => l.requestId)).toEqual(['req-9', undefined]);
});
