/**
 * The one error type every room throws. It carries a code that the API layers
 * map to HTTP statuses and gRPC codes in a single place each, so that no room
 * below api/ knows about either protocol.
 */
export type ErrorCode =
  | 'InvalidArgument'
  /** Well-formed but semantically unacceptable (HTTP 422), e.g. an unknown version or values failing a schema. */
  | 'Unprocessable'
  | 'NotFound'
  | 'AlreadyExists'
  | 'PermissionDenied'
  | 'Unauthenticated'
  | 'Conflict'
  | 'FailedPrecondition'
  /**
   * The caller has used up a limit (too many changes at once, too many failed sign-ins): HTTP 429;
   * details.retryAfterSeconds says when to try again.
   */
  | 'ResourceExhausted'
  | 'Unavailable'
  | 'Internal';

export interface ErrorDetails {
  /** Per-field problems, e.g. values that fail a chart's schema. */
  readonly fields?: ReadonlyArray<{ path: string; message: string }>;
  /** The upstream's own message (Tiller, the API server), kept verbatim. */
  readonly upstream?: string;
  /** Anything else worth returning to the caller. */
  readonly [key: string]: unknown;
}

export class AppStoreError extends Error {
  override readonly name = 'AppStoreError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Normalises anything thrown into an AppStoreError (unknown → Internal). */
  static from(err: unknown): AppStoreError {
    if (err instanceof AppStoreError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new AppStoreError('Internal', message, {}, { cause: err });
  }
}

export const invalidArgument = (message: string, details?: ErrorDetails) =>
  new AppStoreError('InvalidArgument', message, details);
export const notFound = (message: string, details?: ErrorDetails) =>
  new AppStoreError('NotFound', message, details);

/** A release that another operation holds (its lock, in this process or through its Lease): 409. */
export function releaseBusy(id: string): AppStoreError {
  return new AppStoreError('Conflict', `release ${id} is busy with another operation; try again when it has finished`);
}
