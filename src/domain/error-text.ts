/**
 * A thrown value's message, for logs and error details. Duck-typed rather
 * than `instanceof Error`: errors from another realm (fetch's, under a test
 * runner's vm context) are Errors that fail that check.
 */
export function errorText(err: unknown): string {
  const message = isErrorLike(err) ? err.message : undefined;
  return typeof message === 'string' ? message : String(err);
}

/**
 * The useful part of a network failure: undici reports "fetch failed" and
 * keeps the system error (ECONNREFUSED, ENOTFOUND, a TLS failure) in `cause`.
 */
export function causeText(err: unknown): string | undefined {
  const cause = isErrorLike(err) ? err.cause : undefined;
  if (!isErrorLike(cause)) return undefined;
  return typeof cause.code === 'string' ? cause.code : errorText(cause);
}

function isErrorLike(value: unknown): value is { message?: unknown; cause?: unknown; code?: unknown } {
  return typeof value === 'object' && value !== null && 'message' in value;
}
