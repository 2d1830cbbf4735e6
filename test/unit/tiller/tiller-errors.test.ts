import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { AppStoreError } from '../../../src/domain/errors.js';
import { fromTillerError } from '../../../src/tiller/tiller-errors.js';

function serviceError(code: status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });
}

// Messages as Tiller v2.17 words them.
test.each([
  ['release: "blurry-green-cat" not found', 'NotFound', 'NotFound'],
  ['a release named web already exists.\nRun: helm ls --all web; to check the status of the release', 'AlreadyExists', 'NameInUse'],
  ['a release named web is in use, cannot re-use a name that is still in use', 'AlreadyExists', 'NameInUse'],
  ['incompatible versions client[v2.16.0] server[v2.17.0]', 'FailedPrecondition', 'IncompatibleVersion'],
  ['another operation (install/upgrade/rollback) is in progress', 'Conflict', 'InProgress'],
  ['render error in "hello/templates/x.yaml": template: nil pointer evaluating', 'Unprocessable', 'InvalidChart'],
  ['parse error in "hello/templates/x.yaml": template: unexpected "}"', 'Unprocessable', 'InvalidChart'],
  ['YAML parse error on hello/templates/x.yaml: error converting YAML to JSON', 'Unprocessable', 'InvalidChart'],
  ['no chart provided', 'Unprocessable', 'InvalidChart'],
  ['release web failed: namespaces "nope" not found', 'NotFound', 'NotFound'],
  ['release web failed: admission webhook denied the request', 'Internal', 'Failed'],
  ['release web failed: Service "web-hello" is invalid: spec.type: Unsupported value: "Bogus": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"', 'Unprocessable', 'Rejected'],
  ['unable to build kubernetes objects from release manifest: error validating "": error validating data: ValidationError(Deployment.spec.replicas): invalid type for io.k8s.api.apps.v1.DeploymentSpec.replicas: got "string", expected "integer"', 'Unprocessable', 'Rejected'],
])('Tiller message %j becomes %s', (message, code, kind) => {
  const err = fromTillerError('install', serviceError(status.UNKNOWN, message));
  expect(err).toBeInstanceOf(AppStoreError);
  expect(err.code).toBe(code);
  expect(err.details.tiller).toBe(kind);
  expect(err.details.upstream).toBe(message);
  expect(err.message).toBe(`Tiller install: ${message}`);
});

test('Tiller failing to reach the API server is Unavailable, without the server\'s address', () => {
  const upstream = 'Get "https://10.0.0.1:6443/api/v1/namespaces/x/secrets": dial tcp 10.0.0.1:6443: connect: connection refused';
  const err = fromTillerError('content', serviceError(status.UNKNOWN, upstream));
  expect(err.code).toBe('Unavailable');
  expect(err.details.tiller).toBe('ClusterUnavailable');
  expect(err.message).toBe('Tiller cannot reach the Kubernetes API server (content); try again later');
  expect(err.details.upstream).toBe(upstream);
});

test.each([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED])(
  'transport failure %s is Unavailable whatever the message',
  (code) => {
    const err = fromTillerError('status', serviceError(code, 'release: "x" not found'));
    expect(err.code).toBe('Unavailable');
    expect(err.message).toMatch(/^Tiller is unavailable \(status\)/);
  },
);

test('an error that is not a gRPC error is kept as Internal with its message', () => {
  const err = fromTillerError('list', new TypeError('boom'));
  expect(err.code).toBe('Internal');
  expect(err.message).toBe('boom');
});

test('manifests of API versions the cluster does not serve are a 422 listing each kind and apiVersion once', () => {
  const upstream =
    'release x failed: [unable to recognize "": no matches for kind "Ingress" in version "extensions/v1beta1", ' +
    'unable to recognize "": no matches for kind "ClusterRole" in version "rbac.authorization.k8s.io/v1beta1", ' +
    'unable to recognize "": no matches for kind "Ingress" in version "extensions/v1beta1"]';
  const err = fromTillerError('install', serviceError(status.UNKNOWN, upstream));
  expect(err.code).toBe('Unprocessable');
  expect(err.message).toBe('the chart uses API versions this cluster does not serve: Ingress extensions/v1beta1, ClusterRole rbac.authorization.k8s.io/v1beta1 (Tiller install)');
  expect(err.details.unserved).toEqual([
    { kind: 'Ingress', apiVersion: 'extensions/v1beta1' },
    { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1beta1' },
  ]);
});

test('an object of the rendered chart that the API server refuses as invalid is a 422 with its words', () => {
  const upstream = 'release x failed: Ingress.networking.k8s.io "x-spark" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified';
  const err = fromTillerError('install', serviceError(status.UNKNOWN, upstream));
  expect(err.code).toBe('Unprocessable');
  expect(err.message).toBe(`Tiller install: ${upstream}`);
  const undecodable = 'release x failed: Ingress in version "v1" cannot be handled as a Ingress: json: cannot unmarshal string into Go struct field';
  expect(fromTillerError('install', serviceError(status.UNKNOWN, undecodable)).code).toBe('Unprocessable');
});

test('an object of the release that exists already is a Conflict, not the release name in use (which would be retried under another name)', () => {
  const upstream = 'release gentle-teal-ferret failed: ingresses.networking.k8s.io "gentle-teal-ferret-minio" already exists';
  const err = fromTillerError('install', serviceError(status.UNKNOWN, upstream));
  expect(err.code).toBe('Conflict');
  expect(err.details.tiller).toBe('ObjectExists');
});

test.each(['install', 'upgrade', 'rollback', 'install (dry run)'])('an invalid chart is the same 422 on every path: %s', (operation) => {
  // The Helm 4 engine's wording: its status code is INVALID_ARGUMENT, its message keeps Tiller's leading words.
  for (const [code, message] of [
    [status.UNKNOWN, 'render error in "hello/templates/x.yaml": template: nil pointer evaluating'],
    [status.INVALID_ARGUMENT, 'render error in chart: template: hello/templates/x.yaml:1:3: executing "x" at <.Values.nope.deeper>: nil pointer'],
    [status.INVALID_ARGUMENT, 'validation failed: values don\'t meet the specifications of the schema(s) in the following chart(s)'],
  ] as const) {
    const err = fromTillerError(operation, serviceError(code, message));
    expect([err.code, err.details.tiller]).toEqual(['Unprocessable', 'InvalidChart']);
  }
});
