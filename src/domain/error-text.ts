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

/** The longest message an error answer or a log line carries: user input can be megabytes long. */
export const MAX_ERROR_TEXT = 1024;

/**
 * A text cut to at most `max` characters, saying how much was cut. Error
 * messages can quote user input (a namespace, a value Tiller rejected);
 * bounded, they fit in a gRPC status header and keep logs small.
 */
export function boundedText(text: string, max: number = MAX_ERROR_TEXT): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max);
  // Never end on half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}… (${text.length - cut.length} more characters)`;
}

/** The most per-field problems an error answer lists (a schema can fail on every item of a long list). */
export const MAX_ERROR_FIELDS = 20;

/** Per-field problems, at most MAX_ERROR_FIELDS of them, each path and message bounded. */
export function boundedFields(fields: ReadonlyArray<{ path: string; message: string }>): Array<{ path: string; message: string }> {
  return fields.slice(0, MAX_ERROR_FIELDS).map((f) => ({ path: boundedText(f.path, 256), message: boundedText(f.message, 256) }));
}
