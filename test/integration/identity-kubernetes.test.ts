/**
 * ServiceAccount tokens through TokenReview and namespace rights through
 * SubjectAccessReview, against the real kube-apiserver of the test cluster,
 * with real ServiceAccounts, Roles and RoleBindings created by the admin.
 */
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import pino from 'pino';
import { AppStoreError } from '../../src/domain/errors.js';
import type { Principal } from '../../src/domain/principal.js';
import type { IdentityConfig } from '../../src/identity/identity-config.js';
import { createIdentityService, type IdentityService } from '../../src/identity/identity-service.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, eventually, kubeClients } from './kube.js';

const env = readTestEnv();
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(env.cluster.kubeconfig);
const core = kubeConfig.makeApiClient(CoreV1Api);
const rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);

const NS_A = 'identity-it-a';
const NS_B = 'identity-it-b';
const SA = 'deployer';
const SA_ID = `system:serviceaccount:${NS_A}:${SA}`;
const RBAC_GROUP = 'fc:org:rbac-it.example.org';
const CLUSTER_ISSUER = 'https://kubernetes.default.svc.cluster.local';

function newService(overrides: Partial<IdentityConfig> = {}): IdentityService {
  const config: IdentityConfig = {
    authenticators: ['serviceaccount'],
    dataporten: { userinfoUrl: 'http://127.0.0.1:1/userinfo', groupsUrl: 'http://127.0.0.1:1/groups' },
    serviceAccount: { audience: 'appstore', issuer: CLUSTER_ISSUER },
    cache: { successTtlMs: 60_000, failureTtlMs: 0, maxEntries: 100 },
    upstreamTimeoutMs: 3000,
    namespaces: { rbac: true },
    adminGroupsMembersOnly: true,
    ...overrides,
  };
  return createIdentityService(config, { logger: pino({ level: 'silent' }), kubeConfig });
}

async function tokenFor(audiences?: string[]): Promise<string> {
  const request = await core.createNamespacedServiceAccountToken({
    name: SA,
    namespace: NS_A,
    // No audiences: the API server's own (what a pod's projected token carries by default).
    body: { spec: { audiences: audiences ?? [], expirationSeconds: 600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error('no token in the TokenRequest');
  return token;
}

async function failure(promise: Promise<unknown>, code: AppStoreError['code']): Promise<AppStoreError> {
  const err = await promise.then(() => new Error('expected a failure'), (e: unknown) => e);
  expect(err).toBeInstanceOf(AppStoreError);
  expect((err as AppStoreError).code).toBe(code);
  return err as AppStoreError;
}

const bearer = (token: string) => ({ bearer: token, headers: {} });

/** SubjectAccessReviews the API server has answered so far, from its own metrics. */
async function reviewsAnswered(): Promise<number> {
  const url = new URL('/metrics', kubeConfig.getCurrentCluster()?.server);
  const options: RequestOptions = { method: 'GET', hostname: url.hostname, port: url.port, path: url.pathname };
  await kubeConfig.applyToHTTPSOptions(options);
  const text = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('error', reject);
    req.end();
  });
  return text
    .split('\n')
    .filter((line) => line.startsWith('apiserver_request_total{') && line.includes('resource="subjectaccessreviews"') && line.includes('verb="POST"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

beforeAll(async () => {
  const kube = kubeClients(env);
  await ensureNamespace(kube, NS_A);
  await ensureNamespace(kube, NS_B);
  await core.createNamespacedServiceAccount({ namespace: NS_A, body: { metadata: { name: SA } } });
  await rbac.createNamespacedRole({
    namespace: NS_A,
    body: {
      metadata: { name: 'appstore-deployer' },
      rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['create', 'get', 'list'] }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: NS_A,
    body: {
      metadata: { name: 'appstore-deployers' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'appstore-deployer' },
      subjects: [
        { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: RBAC_GROUP },
        { kind: 'ServiceAccount', name: SA, namespace: NS_A },
      ],
    },
  });
});

describe('ServiceAccount tokens (TokenReview with an audience)', () => {
  test('a token for the store\'s audience gives the service account with its groups', async () => {
    const principal = await newService().authenticate(bearer(await tokenFor(['appstore'])));
    expect(principal).toMatchObject({ id: SA_ID, name: SA, kind: 'serviceaccount', source: 'serviceaccount' });
    expect(principal.groups).toEqual(expect.arrayContaining(['system:serviceaccounts', `system:serviceaccounts:${NS_A}`, 'system:authenticated']));
  });

  test("a token for the API server's own audience is refused (no replay of a pod's default token)", async () => {
    const err = await failure(newService().authenticate(bearer(await tokenFor())), 'Unauthenticated');
    expect(err.message).toMatch(/did not accept the service-account token/);
    // Without a configured issuer such a JWT is simply not recognised — still 401.
    const open = newService({ serviceAccount: { audience: 'appstore' } });
    expect((await failure(open.authenticate(bearer(await tokenFor())), 'Unauthenticated')).message).toMatch(/not recognised/);
  });

  test('a JWT of another issuer is not sent to TokenReview at all', async () => {
    const token = await tokenFor(['appstore']);
    const elsewhere = newService({ serviceAccount: { audience: 'appstore', issuer: 'https://other-cluster.example' } });
    expect((await failure(elsewhere.authenticate(bearer(token)), 'Unauthenticated')).message).toMatch(/not recognised/);
  });

  test('an API server that cannot be reached is 503', async () => {
    const unreachable = new KubeConfig();
    unreachable.loadFromOptions({
      clusters: [{ name: 'x', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'x', token: 'x' }],
      contexts: [{ name: 'x', cluster: 'x', user: 'x' }],
      currentContext: 'x',
    });
    const identity = createIdentityService(
      { ...baseConfig(), authenticators: ['serviceaccount'] },
      { logger: pino({ level: 'silent' }), kubeConfig: unreachable },
    );
    const err = await failure(identity.authenticate(bearer(await tokenFor(['appstore']))), 'Unavailable');
    expect(err.message).toMatch(/Kubernetes API \(TokenReview\)/);
  });
});

describe('namespace rights from RBAC (SubjectAccessReview: create deployments.apps)', () => {
  const erin: Principal = { id: 'erin', groups: [RBAC_GROUP], kind: 'user', source: 'oidc' };
  const frank: Principal = { id: 'frank', groups: ['fc:org:elsewhere.org'], kind: 'user', source: 'oidc' };

  test('a member of a group bound to a Role may deploy in that namespace only', async () => {
    const { access } = newService();
    await eventually('the RoleBinding to take effect', async () => ((await access.namespacesFor(erin)).includes(NS_A) ? true : undefined), 20_000);
    await expect(access.assertMayDeploy(erin, NS_A)).resolves.toBeUndefined();
    const err = await failure(access.assertMayDeploy(erin, NS_B), 'PermissionDenied');
    expect(err.details.namespace).toBe(NS_B);
    expect(await access.namespacesFor(erin)).not.toContain(NS_B);
  });

  test('someone outside the group may deploy nowhere', async () => {
    const { access } = newService();
    await failure(access.assertMayDeploy(frank, NS_A), 'PermissionDenied');
    await expect(access.namespacesFor(frank)).resolves.toEqual([]);
  });

  test('system: names from an identity provider borrow nothing (system:masters could do anything)', async () => {
    const { access } = newService();
    const forged: Principal = { id: 'mallory', groups: ['system:masters'], kind: 'user', source: 'oidc' };
    await failure(access.assertMayDeploy(forged, NS_B), 'PermissionDenied');
    // An OIDC subject that spells a service account's name is not that service account.
    const impostor: Principal = { id: SA_ID, groups: [], kind: 'user', source: 'oidc' };
    await failure(access.assertMayDeploy(impostor, NS_A), 'PermissionDenied');
  });

  test('a service account authenticated by TokenReview is reviewed as itself', async () => {
    const identity = newService();
    const robot = await identity.authenticate(bearer(await tokenFor(['appstore'])));
    await eventually('the RoleBinding to take effect', async () => ((await identity.access.namespacesFor(robot)).includes(NS_A) ? true : undefined), 20_000);
    await failure(identity.access.assertMayDeploy(robot, NS_B), 'PermissionDenied');
  });

  test('an answer is remembered as a TokenReview\'s is: repeated checks send no more reviews', async () => {
    const { access } = newService();
    await eventually('the RoleBinding to take effect', async () => ((await access.namespacesFor(erin)).includes(NS_A) ? true : undefined), 20_000);
    await access.assertMayDeploy(erin, NS_A);
    const before = await reviewsAnswered();
    for (let i = 0; i < 5; i++) await access.assertMayDeploy(erin, NS_A);
    await Promise.all([1, 2, 3].map(() => access.assertMayDeploy(erin, NS_A)));
    expect((await reviewsAnswered()) - before).toBeLessThan(3);
    // A refusal is not remembered (the failure TTL here is 0): a RoleBinding added later works at once.
    await failure(access.assertMayDeploy(frank, NS_A), 'PermissionDenied');
    const refused = await reviewsAnswered();
    await failure(access.assertMayDeploy(frank, NS_A), 'PermissionDenied');
    expect((await reviewsAnswered()) - refused).toBeGreaterThanOrEqual(1);
  });

  test('the namespaces file and RBAC together: either is enough', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'identity-it-')), 'namespaces.yaml');
    writeFileSync(file, `${NS_B}: ["frank"]\n`);
    const { access } = newService({ namespaces: { file, rbac: true } });
    await expect(access.namespacesFor(frank)).resolves.toEqual([NS_B]);
    await expect(access.namespacesFor(erin)).resolves.toEqual([NS_A]);
  });
});

// The API server caches a successful token authentication for about 10 s, hence the wait.
test('a deleted service account\'s token stops working', async () => {
  const token = await tokenFor(['appstore']);
  await expect(newService().authenticate(bearer(token))).resolves.toMatchObject({ id: SA_ID });
  await core.deleteNamespacedServiceAccount({ name: SA, namespace: NS_A });
  await eventually('the deleted service account to be refused', async () => {
    const err = await newService().authenticate(bearer(token)).then(() => undefined, (e: unknown) => e);
    return err instanceof AppStoreError && err.code === 'Unauthenticated' ? err : undefined;
  }, 45_000);
  await expect(newService().authenticate(bearer(token))).rejects.toThrow(/did not accept the service-account token/);
}, 60_000);

function baseConfig(): IdentityConfig {
  return {
    authenticators: [],
    dataporten: { userinfoUrl: 'http://127.0.0.1:1/userinfo', groupsUrl: 'http://127.0.0.1:1/groups' },
    serviceAccount: { audience: 'appstore', issuer: CLUSTER_ISSUER },
    cache: { successTtlMs: 60_000, failureTtlMs: 0, maxEntries: 100 },
    upstreamTimeoutMs: 3000,
    namespaces: { rbac: false },
    adminGroupsMembersOnly: true,
  };
}
