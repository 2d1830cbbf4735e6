/** Kubernetes API failures as domain errors: 404, 409, 403 keep their meaning; no answer is Unavailable. */
import { AppStoreError, type ErrorCode } from '../domain/errors.js';

export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function fromKubeError(operation: string, err: unknown): AppStoreError {
  if (err instanceof AppStoreError) return err;
  const status = statusOf(err);
  const message = err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err);
  // No answer, a 5xx or throttling is an outage; a 401/403 means the store's own
  // permissions are wrong, which is an internal error, not the caller's.
  const code: ErrorCode =
    status === undefined || status >= 500 || status === 429
      ? 'Unavailable'
      : status === 404
        ? 'NotFound'
        : status === 409
          ? 'AlreadyExists'
          : 'Internal';
  const prefix = code === 'Unavailable' ? 'the Kubernetes API server is unavailable' : 'the Kubernetes API server refused';
  return new AppStoreError(code, `${prefix} (${operation}): ${message}`, { upstream: message, httpStatus: status }, { cause: err });
}
