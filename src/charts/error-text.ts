/**
 * The message of anything thrown. Errors raised by Node internals (zlib) or
 * by js-yaml may come from another realm (e.g. under jest's VM), where
 * `instanceof Error` is false, so the message is read structurally.
 */
export function errorText(err: unknown): string {
  return typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
}
