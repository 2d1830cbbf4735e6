/**
 * The one place that maps domain error codes to gRPC status codes. An error
 * that is not an AppStoreError is an internal error; its message is not sent.
 * Messages and field lists are bounded: they travel in HTTP/2 trailers, and a
 * trailer larger than the client accepts leaves the call hanging until its
 * deadline.
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { AppStoreError, type ErrorCode } from '../../domain/errors.js';
import { boundedFields, boundedText } from '../../domain/error-text.js';

const GRPC_STATUS: Record<ErrorCode, status> = {
  InvalidArgument: status.INVALID_ARGUMENT,
  Unprocessable: status.INVALID_ARGUMENT,
  NotFound: status.NOT_FOUND,
  AlreadyExists: status.ALREADY_EXISTS,
  PermissionDenied: status.PERMISSION_DENIED,
  Unauthenticated: status.UNAUTHENTICATED,
  Conflict: status.ABORTED,
  FailedPrecondition: status.FAILED_PRECONDITION,
  ResourceExhausted: status.RESOURCE_EXHAUSTED,
  Unavailable: status.UNAVAILABLE,
  Internal: status.INTERNAL,
};

export function toServiceError(err: unknown): Partial<ServiceError> {
  const appErr = AppStoreError.from(err);
  const metadata = new Metadata();
  metadata.set('appstore-error-code', appErr.code);
  const fields = appErr.details.fields;
  if (fields) metadata.set('appstore-error-fields-bin', Buffer.from(JSON.stringify(boundedFields(fields))));
  const retryAfter = appErr.details.retryAfterSeconds;
  if (typeof retryAfter === 'number') metadata.set('retry-after', String(retryAfter));
  return {
    code: GRPC_STATUS[appErr.code],
    details: appErr.code === 'Internal' && !(err instanceof AppStoreError) ? 'internal error' : boundedText(appErr.message),
    metadata,
  };
}
