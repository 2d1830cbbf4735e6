/**
 * Refusals of the fair share and the quotas, as each protocol shows them:
 * 429 with Retry-After and 403 naming the quota (problem+json), and
 * RESOURCE_EXHAUSTED with retry-after metadata (gRPC).
 */
import { status } from '@grpc/grpc-js';
import type { Response } from 'express';
import { toServiceError } from '../../../src/api/grpc/status-codes.js';
import { problemOf, sendProblem } from '../../../src/api/rest/problem.js';
import { AppStoreError } from '../../../src/domain/errors.js';

const tooMany = new AppStoreError('ResourceExhausted', 'carol already has 2 changes in flight', { retryAfterSeconds: 4 });
const quota = new AppStoreError('PermissionDenied', 'quota releases-per-user reached', { quota: { name: 'releases-per-user', limit: 2, used: 2 } });

function sent(err: AppStoreError) {
  const headers: Record<string, string> = {};
  let code = 0;
  const res = {
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value),
    status: (s: number) => ((code = s), res),
    type: () => res,
    send: () => res,
  } as unknown as Response;
  sendProblem(res, problemOf(err), err);
  return { code, headers };
}

test('ResourceExhausted is 429 problem+json with Retry-After, in the header and the problem', () => {
  expect(problemOf(tooMany)).toMatchObject({ status: 429, title: 'Too Many Requests', code: 'ResourceExhausted', retryAfterSeconds: 4 });
  expect(sent(tooMany)).toEqual({ code: 429, headers: { 'retry-after': '4' } });
});

test('a quota refusal is 403 whose problem names the quota, its limit and its usage', () => {
  expect(problemOf(quota)).toMatchObject({ status: 403, quota: { name: 'releases-per-user', limit: 2, used: 2 } });
});

test('over gRPC, ResourceExhausted is RESOURCE_EXHAUSTED with retry-after metadata', () => {
  const mapped = toServiceError(tooMany);
  expect(mapped.code).toBe(status.RESOURCE_EXHAUSTED);
  expect(mapped.metadata?.get('retry-after')).toEqual(['4']);
});
