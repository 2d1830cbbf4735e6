/**
 * The internal gRPC API end to end: the store composed as in production, on
 * the real Tiller v2.17 and kube-apiserver, called with the generated
 * appstore.v1 client (the same scenarios as the REST test) and with grpcurl,
 * an outside client built from Go modules that knows the API only through
 * server reflection.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import {
  Client,
  credentials,
  Metadata,
  status,
  type CallOptions,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import { AppStoreClient } from '../../gen/appstore/v1/appstore.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, eventually, kubeClients } from './kube.js';
import { startStore, USERS, type RunningStore } from './store.js';

const run = promisify(execFile);
const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-grpc';
let running: RunningStore;
let client: AppStoreClient;

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  running = await startStore(env, { namespace: 'appstore-grpc', deployNamespaces: [namespace] });
  client = new AppStoreClient(running.grpcAddress, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await running?.stop();
});

/** Who calls: a known user, a raw token, or nobody (no metadata at all). */
type Caller = keyof typeof USERS | { token: string } | undefined;

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** One unary call of the generated client as a promise, with the caller's bearer token as metadata. */
function rpc<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, caller?: Caller): Promise<Res> {
  const metadata = new Metadata();
  const token = caller === undefined ? undefined : typeof caller === 'string' ? USERS[caller].token : caller.token;
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    method.call(client, request, metadata, { deadline: Date.now() + 120_000 }, (error, response) =>
      error ? reject(error) : resolve(response),
    );
  });
}

/** The ServiceError a call fails with; fails the test if the call succeeds. */
async function failure(call: Promise<unknown>): Promise<ServiceError> {
  try {
    await call;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('the call succeeded, but it should have failed');
}

const installRequest = (overrides: Partial<Parameters<typeof client.installRelease>[0]>) => ({
  application: 'sample/hello',
  version: '',
  namespace,
  adminGroups: [],
  development: false,
  values: undefined,
  dryRun: false,
  ...overrides,
});

const listAll = { limit: 0, offset: 0 };

describe('the catalog is public', () => {
  test('ListPackages lists the sample charts without metadata', async () => {
    const res = await rpc(client.listPackages, { query: '', deprecated: false, repo: '', keyword: '', limit: 0, offset: 0 });
    const ids = res.packages.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['sample/hello', 'sample/stack', 'sample/oidc-app']));
    expect(res.total).toBe(ids.length);
    const hello = res.packages.find((p) => p.id === 'sample/hello');
    expect(hello?.versions.map((v) => v.version)).toEqual(expect.arrayContaining(['1.1.0', '1.0.0']));
  });

  test('a forged token is refused even on a public call (UNAUTHENTICATED)', async () => {
    const err = await failure(rpc(client.listPackages, { query: '', deprecated: false, repo: '', keyword: '', limit: 0, offset: 0 }, { token: 'forged' }));
    expect(err.code).toBe(status.UNAUTHENTICATED);
  });
});

describe('a release through its whole life', () => {
  let id = '';
  const values = { message: 'A nice blog about kubernetes', replicaCount: 2 };

  test('InstallRelease installs and answers the accepted input plus id and owner', async () => {
    const request = installRequest({ version: '1.0.0', adminGroups: ['fc:org:example.org'], values });
    const res = await rpc(client.installRelease, request, 'alice');
    id = res.release?.id ?? '';
    expect(id).toMatch(/^[a-z]+-[a-z]+-[a-z]+$/);
    expect(res.release).toEqual({
      id,
      owner: 'alice',
      application: 'sample/hello',
      version: '1.0.0',
      namespace,
      adminGroups: ['fc:org:example.org'],
      development: false,
      values,
    });
    // Not a dry run: no manifest or notes in the answer.
    expect(res.manifest).toBe('');
    expect(res.notes).toBe('');
    const deployment = await kube.apps.readNamespacedDeployment({ name: `${id}-hello`, namespace });
    expect(deployment.spec?.replicas).toBe(2);
  });

  test('GetRelease: the owner and an adminGroup member see it; a stranger gets NOT_FOUND', async () => {
    const alice = await rpc(client.getRelease, { id }, 'alice');
    expect(alice).toMatchObject({ id, owner: 'alice', application: 'sample/hello', version: '1.0.0', values });
    expect(await rpc(client.getRelease, { id }, 'bob')).toEqual(alice);
    const carol = await failure(rpc(client.getRelease, { id }, 'carol'));
    expect(carol.code).toBe(status.NOT_FOUND);
    expect(carol.metadata.get('appstore-error-code')).toEqual(['NotFound']);
    const missing = await failure(rpc(client.getRelease, { id: 'no-such-release' }, 'carol'));
    expect(missing.code).toBe(status.NOT_FOUND);
    expect(missing.details).toBe('release no-such-release not found');
  });

  test('GetRelease without an id is INVALID_ARGUMENT', async () => {
    const err = await failure(rpc(client.getRelease, { id: '' }, 'alice'));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.metadata.get('appstore-error-code')).toEqual(['InvalidArgument']);
  });

  test('ListReleases lists only what the caller may see', async () => {
    const alice = await rpc(client.listReleases, listAll, 'alice');
    expect(alice.releases.map((r) => r.id)).toContain(id);
    expect(alice.total).toBeGreaterThanOrEqual(alice.releases.length);
    expect((await rpc(client.listReleases, listAll, 'bob')).releases.map((r) => r.id)).toContain(id);
    const carol = await rpc(client.listReleases, listAll, 'carol');
    expect(carol.releases.map((r) => r.id)).not.toContain(id);
    const negative = await failure(rpc(client.listReleases, { limit: -1, offset: 0 }, 'alice'));
    expect(negative.code).toBe(status.INVALID_ARGUMENT);
  });

  test('GetReleaseStatus gives lastDeployed, status, notes and live resources', async () => {
    const view = await eventually('a Ready deployment in the status', async () => {
      const res = await rpc(client.getReleaseStatus, { id }, 'bob');
      return res.resources.some((r) => r.kind === 'Deployment' && r.health === 'Ready') ? res : undefined;
    });
    expect(view.lastDeployed).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(view).toMatchObject({ namespace, status: 'DEPLOYED' });
    expect(view.notes).toContain(id);
    expect(view.resources).toEqual(
      expect.arrayContaining([
        { kind: 'Deployment', apiVersion: 'apps/v1', name: `${id}-hello`, namespace, health: 'Ready', ready: '2/2' },
        { kind: 'Service', apiVersion: 'v1', name: `${id}-hello`, namespace, health: 'Ready', ready: '' },
      ]),
    );
    expect((await failure(rpc(client.getReleaseStatus, { id }, 'carol'))).code).toBe(status.NOT_FOUND);
  });

  test('UpgradeRelease to an unknown version is INVALID_ARGUMENT (Unprocessable) and changes nothing', async () => {
    const err = await failure(rpc(client.upgradeRelease, { id, version: '9.9.9', values: undefined, resetValues: false }, 'alice'));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/no version 9\.9\.9/);
    expect(err.metadata.get('appstore-error-code')).toEqual(['Unprocessable']);
    expect((await rpc(client.getRelease, { id }, 'alice')).version).toBe('1.0.0');
  });

  test('PreviewUpgradeRelease answers the revision the upgrade would make beside the current one, and changes nothing', async () => {
    const preview = await rpc(client.previewUpgradeRelease, { id, version: '1.1.0', values: { replicaCount: 1 }, resetValues: false }, 'bob');
    expect(preview.current).toMatchObject({ revision: 1, version: '1.0.0', values: { replicaCount: 2 } });
    expect(preview.proposed).toMatchObject({ revision: 2, version: '1.1.0', values: { message: values.message, replicaCount: 1 } });
    expect(preview.proposed?.manifest).toMatch(/version: "1\.1\.0"/);
    expect((await rpc(client.getReleaseHistory, { id }, 'alice')).revisions).toHaveLength(1);
    expect((await rpc(client.getRelease, { id }, 'alice')).version).toBe('1.0.0');
  });

  test('UpgradeRelease to 1.1.0 merges values into the current ones', async () => {
    const res = await rpc(client.upgradeRelease, { id, version: '1.1.0', values: { replicaCount: 1 }, resetValues: false }, 'bob');
    expect(res).toMatchObject({ id, owner: 'alice', version: '1.1.0', values: { message: values.message, replicaCount: 1 } });
    const config = await kube.core.readNamespacedConfigMap({ name: `${id}-hello`, namespace });
    expect(config.data).toMatchObject({ version: '1.1.0', message: values.message });
  });

  test('a stranger cannot upgrade, roll back or delete (NOT_FOUND)', async () => {
    const upgrade = rpc(client.upgradeRelease, { id, version: '1.0.0', values: undefined, resetValues: false }, 'carol');
    expect((await failure(upgrade)).code).toBe(status.NOT_FOUND);
    expect((await failure(rpc(client.rollbackRelease, { id, revision: 1 }, 'carol'))).code).toBe(status.NOT_FOUND);
    expect((await failure(rpc(client.deleteRelease, { id }, 'carol'))).code).toBe(status.NOT_FOUND);
    expect((await rpc(client.getRelease, { id }, 'alice')).version).toBe('1.1.0');
  });

  test('GetReleaseHistory lists revisions newest first; RollbackRelease restores revision 1', async () => {
    const history = await rpc(client.getReleaseHistory, { id }, 'alice');
    expect(history.revisions.map((r) => [r.revision, r.version, r.status])).toEqual([
      [2, '1.1.0', 'DEPLOYED'],
      [1, '1.0.0', 'SUPERSEDED'],
    ]);
    for (const revision of history.revisions) expect(Number.isNaN(Date.parse(revision.updated))).toBe(false);
    expect(history.revisions.at(-1)?.values).toMatchObject({ replicaCount: 2 });
    // PreviewRollbackRelease: revision 1 as the next revision, beside the current one; nothing changes.
    const preview = await rpc(client.previewRollbackRelease, { id, revision: 1 }, 'bob');
    expect(preview.current).toMatchObject({ revision: 2, version: '1.1.0' });
    expect(preview.proposed).toMatchObject({ revision: 3, version: '1.0.0', values: { replicaCount: 2 } });
    expect(preview.proposed?.manifest).toMatch(/helm\.sh\/chart: hello-1\.0\.0$/m);
    expect((await rpc(client.getReleaseHistory, { id }, 'alice')).revisions).toHaveLength(2);
    expect((await failure(rpc(client.previewRollbackRelease, { id, revision: 1 }, 'carol'))).code).toBe(status.NOT_FOUND);
    const rollback = await rpc(client.rollbackRelease, { id, revision: 1 }, 'alice');
    expect(rollback).toMatchObject({ id, version: '1.0.0', values: { replicaCount: 2 } });
    const after = await rpc(client.getReleaseHistory, { id }, 'bob');
    expect(after.revisions.map((r) => [r.revision, r.version, r.status])).toEqual([
      [3, '1.0.0', 'DEPLOYED'],
      [2, '1.1.0', 'SUPERSEDED'],
      [1, '1.0.0', 'SUPERSEDED'],
    ]);
  });

  test('DeleteRelease purges the release and its record', async () => {
    expect(await rpc(client.deleteRelease, { id }, 'alice')).toEqual({});
    expect((await failure(rpc(client.getRelease, { id }, 'alice'))).code).toBe(status.NOT_FOUND);
    expect((await rpc(client.listReleases, listAll, 'alice')).releases.map((r) => r.id)).not.toContain(id);
    await expect(running.store.tiller.status(id)).rejects.toMatchObject({ code: 'NotFound' });
    await eventually('the Deployment to be gone', async () =>
      kube.apps.readNamespacedDeployment({ name: `${id}-hello`, namespace }).then(
        () => undefined,
        (err: { code?: number }) => (err.code === 404 ? true : undefined),
      ),
    );
  });
});

describe('errors map to gRPC status codes', () => {
  test('no token → UNAUTHENTICATED', async () => {
    const err = await failure(rpc(client.listReleases, listAll));
    expect(err.code).toBe(status.UNAUTHENTICATED);
    expect(err.metadata.get('appstore-error-code')).toEqual(['Unauthenticated']);
  });

  test('a forged token → UNAUTHENTICATED', async () => {
    expect((await failure(rpc(client.listReleases, listAll, { token: 'forged' }))).code).toBe(status.UNAUTHENTICATED);
  });

  test('adminGroups the caller is not a member of → PERMISSION_DENIED', async () => {
    const err = await failure(rpc(client.installRelease, installRequest({ adminGroups: ['fc:adhoc:team-a'] }), 'bob'));
    expect(err.code).toBe(status.PERMISSION_DENIED);
  });

  test('a namespace outside the caller\'s policy → PERMISSION_DENIED', async () => {
    const err = await failure(rpc(client.installRelease, installRequest({ namespace: 'kube-system' }), 'alice'));
    expect(err.code).toBe(status.PERMISSION_DENIED);
  });

  test('values that break the chart\'s values.schema.json → INVALID_ARGUMENT, code Unprocessable, each field listed', async () => {
    const request = installRequest({ version: '1.0.0', values: { replicaCount: 99, message: 7 } });
    const err = await failure(rpc(client.installRelease, request, 'alice'));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.metadata.get('appstore-error-code')).toEqual(['Unprocessable']);
    const [fields] = err.metadata.get('appstore-error-fields-bin');
    expect(Buffer.isBuffer(fields)).toBe(true);
    const paths = (JSON.parse(String(fields)) as Array<{ path: string }>).map((f) => f.path).sort();
    expect(paths).toEqual(['message', 'replicaCount']);
  });

  test('a values key the generated Struct decoder would lose (__proto__) → INVALID_ARGUMENT, code Unprocessable, its path named', async () => {
    // Written by hand: the generated client's own encoder would drop the key before sending it.
    const entry = (key: string, value: Uint8Array) => new BinaryWriter().uint32(10).string(key).uint32(18).bytes(value).finish();
    const structValue = (...entries: Uint8Array[]) => {
      const struct = new BinaryWriter();
      for (const e of entries) struct.uint32(10).bytes(e);
      return new BinaryWriter().uint32(42).bytes(struct.finish()).finish();
    };
    const values = new BinaryWriter();
    values.uint32(10).bytes(entry('image', structValue(entry('__proto__', new BinaryWriter().uint32(26).string('x').finish()))));
    const request = new BinaryWriter().uint32(10).string('sample/hello').uint32(26).string(namespace).uint32(50).bytes(values.finish()).uint32(56).bool(true).finish();
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${USERS.alice.token}`);
    const raw = new Client(running.grpcAddress, credentials.createInsecure());
    try {
      const err = await failure(new Promise((resolve, reject) => {
        raw.makeUnaryRequest('/appstore.v1.AppStore/InstallRelease', (b: Buffer) => b, (b: Buffer) => b, Buffer.from(request), metadata, (e, res) => (e ? reject(e) : resolve(res)));
      }));
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      expect(err.metadata.get('appstore-error-code')).toEqual(['Unprocessable']);
      expect(err.details).toMatch(/^values\.image\.__proto__ is a key gRPC's Struct cannot carry here/);
    } finally {
      raw.close();
    }
  });

  test('an unknown application → NOT_FOUND', async () => {
    const err = await failure(rpc(client.installRelease, installRequest({ application: 'sample/nope' }), 'alice'));
    expect(err.code).toBe(status.NOT_FOUND);
  });
});

describe('grpcurl, an outside client, through server reflection', () => {
  const grpcurlPath = env.cluster.peers.grpcurl;

  /** Runs `grpcurl -plaintext <flags> <store address> <command>`; a failing call resolves too, with its exit code. */
  async function grpcurl(flags: string[], ...command: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    if (grpcurlPath === undefined) throw new Error('no grpcurl peer in env.json (test/harness/peers.ts builds it)');
    try {
      const { stdout, stderr } = await run(grpcurlPath, ['-plaintext', '-max-time', '60', ...flags, running.grpcAddress, ...command]);
      return { code: 0, stdout, stderr };
    } catch (err) {
      const failed = err as { code?: unknown; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw err;
      return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  const call = (method: string, options: { data?: unknown; token?: string } = {}) =>
    grpcurl(
      [...(options.token === undefined ? [] : ['-H', `authorization: Bearer ${options.token}`]), '-d', JSON.stringify(options.data ?? {})],
      method,
    );

  test('list shows the AppStore, health and reflection services', async () => {
    const res = await grpcurl([], 'list');
    expect(res.code).toBe(0);
    const services = res.stdout.trim().split('\n');
    expect(services).toEqual(expect.arrayContaining(['appstore.v1.AppStore', 'grpc.health.v1.Health']));
    expect(services.some((s) => /^grpc\.reflection\.v1(alpha)?\.ServerReflection$/.test(s))).toBe(true);
  });

  test('describe appstore.v1.AppStore shows its RPCs', async () => {
    const res = await grpcurl([], 'describe', 'appstore.v1.AppStore');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('service AppStore {');
    for (const rpcName of ['ListPackages', 'InstallRelease', 'GetRelease', 'ListReleases', 'GetReleaseStatus', 'UpgradeRelease', 'RollbackRelease', 'GetReleaseHistory', 'PreviewUpgradeRelease', 'PreviewRollbackRelease', 'DeleteRelease', 'ListNamespaces']) {
      expect(res.stdout).toMatch(new RegExp(`rpc ${rpcName} \\( \\.appstore\\.v1\\.\\w+ \\) returns \\( \\.appstore\\.v1\\.\\w+ \\);`));
    }
  });

  test('describe resolves the messages, google.protobuf.Struct included', async () => {
    const res = await grpcurl([], 'describe', 'appstore.v1.InstallReleaseRequest');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/\.google\.protobuf\.Struct values = 6;/);
  });

  test('ListPackages works without a token and returns the sample packages', async () => {
    const res = await call('appstore.v1.AppStore/ListPackages');
    expect(res.code).toBe(0);
    const body = JSON.parse(res.stdout) as { packages: Array<{ id: string }>; total: number };
    expect(body.packages.map((p) => p.id)).toEqual(expect.arrayContaining(['sample/hello', 'sample/stack', 'sample/oidc-app']));
    expect(body.total).toBe(body.packages.length);
  });

  test('ListReleases needs a token: refused without, answered with alice\'s', async () => {
    const refused = await call('appstore.v1.AppStore/ListReleases');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Code: Unauthenticated/);

    const installed = await rpc(client.installRelease, installRequest({ version: '1.0.0' }), 'alice');
    const id = installed.release?.id ?? '';
    try {
      const res = await call('appstore.v1.AppStore/ListReleases', { token: USERS.alice.token });
      expect(res.code).toBe(0);
      const body = JSON.parse(res.stdout) as { releases?: Array<{ id: string; owner: string; namespace: string }> };
      expect(body.releases).toEqual(expect.arrayContaining([expect.objectContaining({ id, owner: 'alice', namespace })]));
      const carol = await call('appstore.v1.AppStore/ListReleases', { token: USERS.carol.token });
      expect(carol.code).toBe(0);
      expect((JSON.parse(carol.stdout) as { releases?: Array<{ id: string }> }).releases ?? []).not.toContainEqual(
        expect.objectContaining({ id }),
      );
    } finally {
      await rpc(client.deleteRelease, { id }, 'alice');
    }
  });

  test('grpc.health.v1.Health/Check answers SERVING; an unknown service is NOT_FOUND', async () => {
    for (const service of ['', 'appstore.v1.AppStore']) {
      const res = await call('grpc.health.v1.Health/Check', { data: { service } });
      expect(res.code).toBe(0);
      expect(JSON.parse(res.stdout)).toEqual({ status: 'SERVING' });
    }
    const unknown = await call('grpc.health.v1.Health/Check', { data: { service: 'no.such.Service' } });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/Code: NotFound/);
  });
});
