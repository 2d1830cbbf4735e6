/**
 * Tiller answers most failures with gRPC code UNKNOWN and an English message,
 * so its errors are classified here by code first, then by the messages that
 * Tiller v2.17 produces. Tiller's own message is always kept in
 * details.upstream so nothing is lost for the caller or the logs.
 */
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { AppStoreError, type ErrorCode } from '../domain/errors.js';
import { tenancyRefusal, type Offence } from '../domain/tenancy-refusal.js';

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
  /** The Helm engine's tenancy check refused objects of the release (with the offences in a trailer). */
  | 'TenancyRefused'
  /** The cluster's RBAC refused a write of the Helm engine, which applies a release as its namespace's ServiceAccount. */
  | 'Forbidden'
  | 'Failed';

/** Go's words for an API server it cannot reach (Tiller's and the engine's Kubernetes clients). */
const CLUSTER_UNREACHABLE = /connect: connection refused|dial tcp |i\/o timeout|no such host|TLS handshake timeout|the server is currently unable to handle the request|kubernetes cluster unreachable/;

const PATTERNS: ReadonlyArray<readonly [RegExp, TillerErrorKind]> = [
  // The Helm engine's words (engine/internal/tenancy): before 'validation failed', which they start with.
  [/^validation failed: tenancy check refused /, 'TenancyRefused'],
  // Tiller could not reach the Kubernetes API server: an outage, not a fault of the request.
  [CLUSTER_UNREACHABLE, 'ClusterUnavailable'],
  [/^release: ".*" not found|not found$|^offset ".*" not found/, 'NotFound'],
  // An object the release creates exists already (in the namespace, or twice in the chart): not the release name.
  [/^release .* failed: .* already exists/, 'ObjectExists'],
  // Helm 3/4's words: an object of the release exists and belongs to another release (or to none).
  [/exists and cannot be imported into the current release/, 'ObjectExists'],
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
  TenancyRefused: 'Unprocessable',
  Forbidden: 'Unprocessable',
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
  // The Helm engine answers UNAVAILABLE with Go's dial error when it cannot reach the API server itself.
  if (err.code === GrpcStatus.UNAVAILABLE && CLUSTER_UNREACHABLE.test(err.details ?? '')) return 'ClusterUnavailable';
  if (UNAVAILABLE_CODES.has(err.code)) return 'Unavailable';
  if (err.code === GrpcStatus.NOT_FOUND) return 'NotFound';
  if (err.code === GrpcStatus.PERMISSION_DENIED) return 'Forbidden';
  const message = err.details ?? '';
  return PATTERNS.find(([re]) => re.test(message))?.[1] ?? 'Failed';
}

/**
 * Turns whatever a Tiller call threw into an AppStoreError naming the operation and the engine that answered
 * (`Tiller`, or `Helm engine` when GetVersion said so).
 */
export function fromTillerError(operation: string, err: unknown, engine = 'Tiller'): AppStoreError {
  if (!isServiceError(err)) return AppStoreError.from(err);
  const kind = classifyTillerError(err);
  const upstream = err.details || err.message;
  if (kind === 'UnservedKinds') return unservedKinds(`${engine} ${operation}`, upstream, err);
  if (kind === 'TenancyRefused') return engineRefusal(`${engine} ${operation}`, upstream, err);
  if (kind === 'Forbidden') {
    return new AppStoreError(
      'Unprocessable',
      `the cluster refused an object of the release (${operation}): the engine applies a release as its namespace's ServiceAccount, which may not write it: ${upstream}`,
      { upstream, tiller: kind, grpcCode: err.code, tenancy: true },
      { cause: err },
    );
  }
  // An outage of the API server behind Tiller is reported without its (internal) address; details keep it.
  const message =
    kind === 'Unavailable'
      ? `${engine} is unavailable (${operation}): ${upstream}`
      : kind === 'ClusterUnavailable'
        ? `${engine} cannot reach the Kubernetes API server (${operation}); try again later`
        : kind === 'Incomplete'
          ? `${engine} ${operation}: ${upstream} (a hook Job of the chart did not complete; the release is FAILED)`
          : `${engine} ${operation}: ${upstream}`;
  return new AppStoreError(CODE_OF_KIND[kind], message, { upstream, tiller: kind, grpcCode: err.code }, { cause: err });
}

/**
 * Every kind/apiVersion Tiller could not map (it lists them all: its builder
 * continues on error), in one 422 whose details list them too.
 */
function unservedKinds(call: string, upstream: string, err: ServiceError): AppStoreError {
  const unserved = [...upstream.matchAll(/no matches for kind "([^"]*)" in version "([^"]*)"/g)].map((m) => ({ kind: m[1]!, apiVersion: m[2]! }));
  return unservedKindsError(call, unserved, { upstream, tiller: 'UnservedKinds', grpcCode: err.code }, err);
}

function unservedKindsError(
  call: string,
  unserved: ReadonlyArray<{ kind: string; apiVersion: string }>,
  details: Record<string, unknown>,
  err: ServiceError,
): AppStoreError {
  const unique = unserved.filter((u, i) => unserved.findIndex((v) => v.kind === u.kind && v.apiVersion === u.apiVersion) === i);
  const list = unique.map((u) => `${u.kind} ${u.apiVersion}`).join(', ');
  return new AppStoreError(
    'Unprocessable',
    `the chart uses API versions this cluster does not serve: ${list} (${call})`,
    { ...details, unserved: unique },
    { cause: err },
  );
}

/** The trailer in which the Helm engine sends a tenancy refusal's objects (engine/internal/server/refusal.go). */
export const TENANCY_TRAILER = 'x-appstore-tenancy-bin';

/**
 * The engine's refusal as the store's own check words it; the objects come from the trailer, else only the text is
 * known. When every object refused is of a kind the cluster does not serve, the chart is too old (or too new) for
 * the cluster, not escaping its namespace: the same 422 as Tiller's "no matches for kind".
 */
function engineRefusal(call: string, upstream: string, err: ServiceError): AppStoreError {
  const details = { upstream, tiller: 'TenancyRefused', grpcCode: err.code };
  const refusal = readRefusal(err.metadata?.get(TENANCY_TRAILER)[0]);
  if (!refusal) return new AppStoreError('Unprocessable', `refused before anything was applied: ${upstream.replace(/^validation failed: /, '')}`, { ...details, tenancy: true }, { cause: err });
  const unserved = refusal.offences.map((o) => /^kind (\S+) (\S+) is not served by the cluster/.exec(o.reason));
  if (unserved.every((m) => m !== null)) {
    return unservedKindsError(call, unserved.map((m) => ({ apiVersion: m![1]!, kind: m![2]! })), { ...details, tiller: 'UnservedKinds' }, err);
  }
  return tenancyRefusal(refusal.offences, refusal.namespace, details);
}

function readRefusal(value: unknown): { namespace: string; offences: Offence[] } | undefined {
  if (!Buffer.isBuffer(value)) return undefined;
  try {
    const body = JSON.parse(value.toString('utf8')) as { namespace?: unknown; offences?: unknown };
    if (typeof body.namespace !== 'string' || !Array.isArray(body.offences)) return undefined;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    const offences = (body.offences as Array<Record<string, unknown>>).map((o) => ({
      kind: text(o.kind),
      name: text(o.name),
      namespace: text(o.namespace),
      reason: text(o.reason),
      ...(typeof o.source === 'string' && o.source !== '' && { source: o.source }),
    }));
    return { namespace: body.namespace, offences };
  } catch {
    return undefined;
  }
}
