/**
 * Errors as problem+json (RFC 9457), mapped from domain codes in this one
 * place. Internal errors never leak their message; messages that quote user
 * input are cut to a bounded length.
 */
import type { Response } from 'express';
import { AppStoreError, type ErrorCode } from '../../domain/errors.js';
import { boundedFields, boundedText } from '../../domain/error-text.js';

const HTTP_STATUS: Record<ErrorCode, number> = {
  InvalidArgument: 400,
  Unprocessable: 422,
  NotFound: 404,
  AlreadyExists: 409,
  PermissionDenied: 403,
  Unauthenticated: 401,
  Conflict: 409,
  FailedPrecondition: 409,
  ResourceExhausted: 429,
  Unavailable: 503,
  Internal: 500,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly code?: ErrorCode;
  readonly requestId?: string;
  readonly errors?: ReadonlyArray<{ path: string; message: string }>;
  readonly [extension: string]: unknown;
}

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

export function problemOf(err: unknown, instance?: string, requestId?: string): Problem {
  const appErr = AppStoreError.from(err);
  const status = HTTP_STATUS[appErr.code];
  const hidden = appErr.code === 'Internal' && !(err instanceof AppStoreError);
  return {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail: hidden ? 'internal error; the request id identifies it in the logs' : boundedText(appErr.message),
    ...(instance ? { instance: boundedText(instance) } : {}),
    code: appErr.code,
    ...(requestId ? { requestId } : {}),
    ...(appErr.details.fields ? { errors: boundedFields(appErr.details.fields) } : {}),
    ...(typeof appErr.details.parameter === 'string' ? { parameter: boundedText(appErr.details.parameter) } : {}),
    ...(typeof appErr.details.limit === 'number' ? { limit: appErr.details.limit } : {}),
    ...(typeof appErr.details.size === 'number' ? { size: appErr.details.size } : {}),
    ...(isQuota(appErr.details.quota) ? { quota: appErr.details.quota } : {}),
    ...(typeof appErr.details.retryAfterSeconds === 'number' ? { retryAfterSeconds: appErr.details.retryAfterSeconds } : {}),
  };
}

/** The quota a refusal names (releases-per-user, releases-per-group), its limit and usage: see releases/release-quotas.ts. */
function isQuota(value: unknown): value is { name: string; limit: number; used: number; group?: string } {
  const q = value as { name?: unknown; limit?: unknown; used?: unknown } | undefined;
  return typeof q === 'object' && q !== null && typeof q.name === 'string' && typeof q.limit === 'number' && typeof q.used === 'number';
}

/** A problem that is not a domain error (body too large, malformed JSON, unknown route). */
export function plainProblem(status: number, detail: string, instance?: string, requestId?: string): Problem {
  return {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail: boundedText(detail),
    ...(instance ? { instance: boundedText(instance) } : {}),
    ...(requestId ? { requestId } : {}),
  };
}

export function sendProblem(res: Response, problem: Problem, err?: unknown): void {
  if (problem.status === 401) {
    const hint = err instanceof AppStoreError ? err.details.wwwAuthenticate : undefined;
    res.setHeader('WWW-Authenticate', typeof hint === 'string' ? hint : 'Bearer realm="appstore"');
  }
  if (problem.status === 503) res.setHeader('Retry-After', '5');
  if (problem.status === 429) res.setHeader('Retry-After', String(typeof problem.retryAfterSeconds === 'number' ? problem.retryAfterSeconds : 1));
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}
