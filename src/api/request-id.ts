/**
 * Request ids a caller may choose (X-Request-Id on REST, x-request-id
 * metadata on gRPC): short and of plain characters, since they go into every
 * log line and audit record of the request. Anything else is replaced by a
 * fresh id, on both transports alike.
 */
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** The caller's id when it is acceptable, else a new one. */
export function requestIdFrom(given: string | undefined): string {
  return given !== undefined && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}
