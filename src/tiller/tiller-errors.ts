/**
 * Tiller answers most failures with gRPC code UNKNOWN and an English message,
 * so its errors are classified here by code first, then by the messages that
 * Tiller v2.17 produces. Tiller's own message is always kept in
 * details.upstream so nothing is lost for the caller or the logs.
 */
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { AppStoreError, type ErrorCode } from '../domain/errors.js';

export type TillerErrorKind =
  | 'NotFound'
  | 'ClusterUnavailable'
  | 'NameInUse'
  | 'IncompatibleVersion'
  | 'Unavailable'
  | 'InvalidChart'
  | 'InProgress'
  /** The API server refused the objects the chart made of the user's values (e.g. an unsupported Service type). */
  | 'Rejected'
  | 'UnservedKinds'
  | 'Incomplete'
  | 'ObjectExists'
  | 'Failed';

const PATTERNS: ReadonlyArray<readonly [RegExp, TillerErrorKind]> = [
  // Tiller could not reach the Kubernetes API server: an outage, not a fault of the request.
  [/connect: connection refused|dial tcp |i\/o timeout|no such host|TLS handshake timeout|the server is currently unable to handle the request/, 'ClusterUnavailable'],
  [/^release: ".*" not found|not found$|^offset ".*" not found/, 'NotFound'],
  // An object the release creates exists already (in the namespace, or twice in the chart): not the release name.
  [/^release .* failed: .* already exists/, 'ObjectExists'],
  [/already exists|cannot re-use a name that is still in use|^release: ".*" already exists/, 'NameInUse'],
  [/^incompatible versions client\[/, 'IncompatibleVersion'],
  // The chart's manifests use API versions the cluster does not serve (any more): the chart's fault for this cluster.
  [/no matches for kind "[^"]*" in version "[^"]*"/, 'UnservedKinds'],
  // The API server refused an object of the rendered chart as invalid (a chart bug, or values it cannot take).
  [/^release .* failed: .*( is invalid: | cannot be handled as a)/, 'Rejected'],
  // What Tiller waited for (a hook Job) did not complete in time, or failed: the revision is FAILED.
  [/timed out waiting for the condition|Job failed: /, 'Incomplete'],
  [/another operation \(install\/upgrade\/rollback\) is in progress/, 'InProgress'],
  [
    /^(render error in|parse error in|YAML parse error on|no chart provided|invalid release name|release name .* exceeds|Chart incompatible with Tiller|Chart requires kubernetesVersion|validation failed)/,
    'InvalidChart',
  ],
  // Kubernetes' 422 ("Service \"x\" is invalid: spec.type: Unsupported value"), or Tiller's own schema check of the manifest.
  [/ is invalid: |error validating data|unable to build kubernetes objects from release manifest/, 'Rejected'],
];

const CODE_OF_KIND: Record<TillerErrorKind, ErrorCode> = {
  NotFound: 'NotFound',
  ClusterUnavailable: 'Unavailable',
  NameInUse: 'AlreadyExists',
  IncompatibleVersion: 'FailedPrecondition',
  Unavailable: 'Unavailable',
  InvalidChart: 'Unprocessable',
  InProgress: 'Conflict',
  Rejected: 'Unprocessable',
  UnservedKinds: 'Unprocessable',
  Incomplete: 'Unprocessable',
  ObjectExists: 'Conflict',
  Failed: 'Internal',
};

const UNAVAILABLE_CODES = new Set<number>([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.CANCELLED,
  GrpcStatus.RESOURCE_EXHAUSTED,
]);

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number' && 'metadata' in err;
}

export function classifyTillerError(err: ServiceError): TillerErrorKind {
  if (UNAVAILABLE_CODES.has(err.code)) return 'Unavailable';
  if (err.code === GrpcStatus.NOT_FOUND) return 'NotFound';
  const message = err.details ?? '';
  return PATTERNS.find(([re]) => re.test(message))?.[1] ?? 'Failed';
}

/** Turns whatever a Tiller call threw into an AppStoreError naming the operation. */
export function fromTillerError(operation: string, err: unknown): AppStoreError {
  if (!isServiceError(err)) return AppStoreError.from(err);
  const kind = classifyTillerError(err);
  const upstream = err.details || err.message;
  if (kind === 'UnservedKinds') return unservedKinds(operation, upstream, err);
  // An outage of the API server behind Tiller is reported without its (internal) address; details keep it.
  const message =
    kind === 'Unavailable'
      ? `Tiller is unavailable (${operation}): ${upstream}`
      : kind === 'ClusterUnavailable'
        ? `Tiller cannot reach the Kubernetes API server (${operation}); try again later`
        : kind === 'Incomplete'
          ? `Tiller ${operation}: ${upstream} (a hook Job of the chart did not complete; the release is FAILED)`
          : `Tiller ${operation}: ${upstream}`;
  return new AppStoreError(CODE_OF_KIND[kind], message, { upstream, tiller: kind, grpcCode: err.code }, { cause: err });
}

/**
 * Every kind/apiVersion Tiller could not map (it lists them all: its builder
 * continues on error), in one 422 whose details list them too.
 */
function unservedKinds(operation: string, upstream: string, err: ServiceError): AppStoreError {
  const unserved = [...upstream.matchAll(/no matches for kind "([^"]*)" in version "([^"]*)"/g)].map((m) => ({ kind: m[1]!, apiVersion: m[2]! }));
  const unique = unserved.filter((u, i) => unserved.findIndex((v) => v.kind === u.kind && v.apiVersion === u.apiVersion) === i);
  const list = unique.map((u) => `${u.kind} ${u.apiVersion}`).join(', ');
  return new AppStoreError(
    'Unprocessable',
    `the chart uses API versions this cluster does not serve: ${list} (Tiller ${operation})`,
    { upstream, tiller: 'UnservedKinds', grpcCode: err.code, unserved: unique },
    { cause: err },
  );
}
