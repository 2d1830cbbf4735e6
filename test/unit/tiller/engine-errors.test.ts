/** What the Helm engine (engine/) answers, as the store maps it: the same problems users get from Tiller. */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { fromTillerError, TENANCY_TRAILER } from '../../../src/tiller/tiller-errors.js';

function serviceError(code: status, details: string, trailer?: unknown): ServiceError {
  const metadata = new Metadata();
  if (trailer !== undefined) metadata.set(TENANCY_TRAILER, Buffer.from(JSON.stringify(trailer)));
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata });
}

const refusedText = 'validation failed: tenancy check refused 1 object(s) of a release in namespace "home", nothing was applied: …';

describe("the engine's tenancy refusal", () => {
  test('names each object from the trailer, worded as the store words its own check', () => {
    const err = fromTillerError(
      'install',
      serviceError(status.INVALID_ARGUMENT, refusedText, {
        namespace: 'home',
        offences: [
          { kind: 'ConfigMap', name: 'x', namespace: 'other', reason: "in namespace other, outside the release's namespace home", source: 'manifest (web/templates/cm.yaml)' },
          { kind: 'ClusterRole', name: 'r', namespace: '', reason: 'cluster-scoped, and the operator has not allowed cluster-scoped objects for this chart (allowClusterScoped)' },
        ],
      }),
    );
    expect(err.code).toBe('Unprocessable');
    expect(err.message).toMatch(/^refused before anything was applied: a release may only create objects in its namespace home: ConfigMap "x": in namespace other/);
    expect(err.details).toMatchObject({
      tenancy: true,
      upstream: refusedText,
      fields: [
        { path: 'ConfigMap/other/x', message: "in namespace other, outside the release's namespace home (manifest (web/templates/cm.yaml))" },
        { path: 'ClusterRole/r', message: expect.stringMatching(/^cluster-scoped/) },
      ],
    });
  });

  test('without a readable trailer it is still a 422 tenancy refusal, with the engine\'s text', () => {
    for (const trailer of [undefined, 'not an object', { namespace: 1, offences: [] }]) {
      const err = fromTillerError('install', serviceError(status.INVALID_ARGUMENT, refusedText, trailer));
      expect(err.code).toBe('Unprocessable');
      expect(err.details.tenancy).toBe(true);
      expect(err.message).toContain('tenancy check refused 1 object(s)');
    }
  });

  test('objects of kinds the cluster does not serve, and nothing else, are the unserved-API-versions 422', () => {
    const err = fromTillerError(
      'install',
      serviceError(status.INVALID_ARGUMENT, refusedText, {
        namespace: 'home',
        offences: [{ kind: 'Ingress', name: 'w', namespace: '', reason: 'kind extensions/v1beta1 Ingress is not served by the cluster, so its scope cannot be checked' }],
      }),
    );
    expect(err.message).toBe('the chart uses API versions this cluster does not serve: Ingress extensions/v1beta1 (Tiller install)');
    expect(err.details.unserved).toEqual([{ kind: 'Ingress', apiVersion: 'extensions/v1beta1' }]);
  });
});

test("the cluster's RBAC refusing the engine's impersonated write is a 422 tenancy refusal", () => {
  const err = fromTillerError('install', serviceError(status.PERMISSION_DENIED, 'configmaps "x" is forbidden: User "system:serviceaccount:a:appstore-deployer" cannot create'));
  expect(err.code).toBe('Unprocessable');
  expect(err.details).toMatchObject({ tenancy: true, tiller: 'Forbidden' });
});

test('UNAVAILABLE with Go\'s dial error is the engine failing to reach the API server; without it, the engine itself', () => {
  expect(fromTillerError('content', serviceError(status.UNAVAILABLE, 'looking up release "x": Get "https://127.0.0.1:6443/api": dial tcp 127.0.0.1:6443: connect: connection refused')).message).toMatch(
    /cannot reach the Kubernetes API server/,
  );
  expect(fromTillerError('content', serviceError(status.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:44134')).message).toMatch(/is unavailable/);
});

test("an object another release owns is Helm's 'cannot be imported': a 409, named for the engine that answered", () => {
  const err = fromTillerError(
    'install',
    serviceError(
      status.UNKNOWN,
      'unable to continue with install: ClusterRole "secrets-unsealer" in namespace "" exists and cannot be imported into the current release: invalid ownership metadata',
    ),
    'Helm engine',
  );
  expect(err.code).toBe('Conflict');
  expect(err.message).toMatch(/^Helm engine install: unable to continue with install: ClusterRole "secrets-unsealer"/);
});
