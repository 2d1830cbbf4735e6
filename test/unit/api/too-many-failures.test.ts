import { status } from '@grpc/grpc-js';
import { peerAddress } from '../../../src/api/grpc/server.js';
import { toServiceError } from '../../../src/api/grpc/status-codes.js';
import { problemOf } from '../../../src/api/rest/problem.js';
import { tooManyFailures } from '../../../src/identity/identity-errors.js';

test('too many failed sign-ins is 429 Too Many Requests in REST and RESOURCE_EXHAUSTED in gRPC, with the wait', () => {
  const err = tooManyFailures(42);
  expect(problemOf(err)).toMatchObject({ status: 429, title: 'Too Many Requests', code: 'ResourceExhausted' });
  const grpc = toServiceError(err);
  expect(grpc.code).toBe(status.RESOURCE_EXHAUSTED);
  expect(grpc.metadata?.get('retry-after')).toEqual(['42']);
});

test('failures are counted per gRPC peer address, not per connection', () => {
  expect(peerAddress('127.0.0.1:51234')).toBe('127.0.0.1');
  expect(peerAddress('::1:51234')).toBe('::1');
  expect(peerAddress('[2001:db8::7]:443')).toBe('2001:db8::7');
  expect(peerAddress('::ffff:10.1.2.3:9090')).toBe('::ffff:10.1.2.3');
  expect(peerAddress('unknown')).toBe('unknown');
});
