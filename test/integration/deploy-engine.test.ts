/**
 * deploy/overlays/engine (deploy/components/engine, deploy/engine-namespace): the Helm 4 engine where the base has the
 * Tiller sidecar. The overlay renders with kustomize and the real kube-apiserver accepts it in a server-side dry run;
 * the rendered pod runs the engine on loopback only and points the store at it. Its RBAC is applied for real and
 * checked with SubjectAccessReviews and impersonated requests: the pod's ServiceAccount may impersonate only the
 * per-namespace ServiceAccount appstore-deployer, which may write only in its own namespace. Last, the engine, built
 * with the command of engine/Dockerfile (a static binary), runs with the pod's token and the rendered arguments and
 * installs where the overlay grants it, and only there.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { loadChartArchive } from '../../src/charts/index.js';
import { loadConfig } from '../../src/config.js';
import { AppStoreError } from '../../src/domain/errors.js';
import { ReleaseStatusCode, TillerClient } from '../../src/tiller/index.js';
import { freePort, waitFor } from '../harness/net.js';
import { repoRoot } from '../harness/paths.js';
import { ProcessGroup } from '../harness/processes.js';
import { readTestEnv } from '../harness/test-env.js';
import { find, kubectlFor, parseAll, render, serviceAccountKubeconfig, type Obj } from './deploy-kit.js';
import { ensureNamespace, kubeClients } from './kube.js';

const OVERLAY = 'deploy/overlays/engine';
const STORE_NAMESPACE = 'appstore';
const TARGET_NAMESPACES = ['team-a', 'team-b'];
const DEPLOYER = 'appstore-deployer';
const POD_SA = `system:serviceaccount:${STORE_NAMESPACE}:appstore`;
const deployerOf = (ns: string) => `system:serviceaccount:${ns}:${DEPLOYER}`;

const env = readTestEnv();
const kubectl = kubectlFor(env);
const kube = kubeClients(env);
const run = promisify(execFile);

let objects: Obj[];
let rendered: string;
let podSpec: Obj;
let engine: Obj;
let store: Obj;

beforeAll(async () => {
  rendered = await render(kubectl, OVERLAY);
  objects = parseAll(rendered);
  for (const ns of TARGET_NAMESPACES) await ensureNamespace(kube, ns);
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  const created = await kubectl(['apply', '-f', '-'], namespaces.map((o) => yaml.dump(o)).join('---\n'));
  if (created.code !== 0) throw new Error(`kubectl apply of the namespaces failed:\n${created.stderr}`);
  podSpec = find(objects, 'Deployment', 'appstore', STORE_NAMESPACE).spec.template.spec;
  engine = (podSpec.initContainers as Obj[]).find((c) => c.name === 'engine') ?? {};
  store = (podSpec.containers as Obj[]).find((c) => c.name === 'appstore') ?? {};
});

describe('the engine overlay against the real API server', () => {
  it('is accepted whole by a server-side dry run, without warnings', async () => {
    const out = await kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], rendered);
    expect(out.code).toBe(0);
    const warnings = out.stderr.split('\n').filter((l) => l !== '' && !/namespaces\/\S+ is missing the kubectl.kubernetes.io\/last-applied/.test(l));
    expect(warnings).toEqual([]);
    expect(out.stdout.trim().split('\n')).toHaveLength(objects.length);
  });

  it('runs the engine as a loopback-only native sidecar in place of Tiller', () => {
    // No Tiller container, volume or Role (the store keeps TILLER_NAMESPACE, its own namespace, from the base).
    expect(rendered).not.toMatch(/helm\/tiller|tiller-tmp|tiller-deployer|name: tiller$/m);
    expect(podSpec.initContainers).toHaveLength(1);
    expect(engine).toMatchObject({ restartPolicy: 'Always', image: 'registry.example.org/appstore/appstore-engine:0.1.0' });
    expect(engine.args).toEqual(expect.arrayContaining(['-listen=127.0.0.1:44134', `-impersonate-serviceaccount=${DEPLOYER}`]));
    expect(engine.args).not.toContain('-unsafe-skip-tenancy-check');
    expect(engine.ports).toBeUndefined();
    for (const service of objects.filter((o) => o.kind === 'Service')) {
      for (const port of service.spec.ports) expect([44134, 'engine']).not.toContain(port.targetPort);
    }
    expect(engine.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const tmp = (engine.volumeMounts as Obj[]).find((m) => m.mountPath === '/tmp');
    expect((podSpec.volumes as Obj[]).find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
  });

  it('points the store at the engine: HELM_HOST is the address the engine listens on', () => {
    const listen = (engine.args as string[]).find((a) => a.startsWith('-listen='))?.slice('-listen='.length);
    const data = find(objects, 'ConfigMap', store.envFrom[0].configMapRef.name, STORE_NAMESPACE).data as Record<string, string>;
    expect(data.HELM_HOST).toBe(listen);
    const config = loadConfig({ ...data, TILLER_NAMESPACE: STORE_NAMESPACE, APPSTORE_NAMESPACE: STORE_NAMESPACE, POD_NAME: 'appstore-0' });
    expect(config.helmHost).toBe('127.0.0.1:44134');
  });

  it('grants impersonation of appstore-deployer only, and the deployer a Role in its own namespace only', () => {
    expect(find(objects, 'ClusterRole', 'appstore-engine').rules).toEqual([
      { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'], resourceNames: [DEPLOYER] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['list', 'watch'] },
    ]);
    expect(find(objects, 'ClusterRoleBinding', 'appstore-engine').subjects).toEqual([{ kind: 'ServiceAccount', name: 'appstore', namespace: STORE_NAMESPACE }]);
    for (const ns of TARGET_NAMESPACES) {
      expect(find(objects, 'ServiceAccount', DEPLOYER, ns).automountServiceAccountToken).toBe(false);
      expect(find(objects, 'RoleBinding', DEPLOYER, ns).subjects).toEqual([{ kind: 'ServiceAccount', name: DEPLOYER, namespace: ns }]);
      expect(find(objects, 'RoleBinding', 'appstore-engine', ns).subjects).toEqual([{ kind: 'ServiceAccount', name: 'appstore', namespace: STORE_NAMESPACE }]);
      const own = find(objects, 'Role', 'appstore-engine', ns).rules as Obj[];
      // The pod's own identity writes Helm's release Secrets (and dry-run Pods), nothing else of a release.
      const writes = own.filter((r) => (r.verbs as string[]).some((v) => ['create', 'update', 'patch', 'delete'].includes(v)));
      expect(writes.flatMap((r) => r.resources).sort()).toEqual(['pods', 'secrets']);
    }
    const bindings = objects.filter((o) => o.kind === 'ClusterRoleBinding');
    expect(bindings.flatMap((b) => b.subjects).filter((s: Obj) => s.name === DEPLOYER)).toEqual([]);
    for (const r of objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')) {
      for (const rule of r.rules) expect([...rule.verbs, ...rule.resources, ...rule.apiGroups]).not.toContain('*');
    }
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) {
      expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'appstore', 'app.kubernetes.io/part-of': 'appstore' });
    }
  });
});

describe('the engine overlay RBAC, applied for real', () => {
  const rbacKinds = new Set(['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);
  const unlisted = 'deploy-engine-it-no-rbac';
  let manifest: string;
  let dir: string;
  let podKubeconfig: string;

  const can = async (as: string, ...args: string[]): Promise<boolean> => (await kubectl(['auth', 'can-i', '--as', as, ...args])).stdout.trim() === 'yes';

  /** A SubjectAccessReview: may `user` do `verb` on `resource` (name) in `namespace`? */
  const review = async (user: string, attributes: Record<string, string>): Promise<boolean> => {
    const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, resourceAttributes: attributes } };
    const out = await kubectl(['create', '-o', 'json', '-f', '-'], JSON.stringify(body));
    if (out.code !== 0) throw new Error(`SubjectAccessReview failed:\n${out.stderr}`);
    return (JSON.parse(out.stdout) as { status: { allowed: boolean } }).status.allowed;
  };

  beforeAll(async () => {
    manifest = objects.filter((o) => rbacKinds.has(o.kind)).map((o) => yaml.dump(o)).join('---\n');
    const applied = await kubectl(['apply', '-f', '-'], manifest);
    if (applied.code !== 0) throw new Error(`kubectl apply of the RBAC failed:\n${applied.stderr}`);
    await ensureNamespace(kube, unlisted);
    dir = mkdtempSync(join(tmpdir(), 'appstore-deploy-engine-'));
    podKubeconfig = await serviceAccountKubeconfig(kubectl, env, STORE_NAMESPACE, 'appstore', dir);
  });

  afterAll(async () => {
    if (manifest !== undefined) await kubectl(['delete', '--ignore-not-found', '--wait=false', '-f', '-'], manifest);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('lets the pod ServiceAccount impersonate appstore-deployer and no other identity (SubjectAccessReview)', async () => {
    const impersonate = (namespace: string, name: string) => review(POD_SA, { verb: 'impersonate', resource: 'serviceaccounts', namespace, name });
    for (const ns of TARGET_NAMESPACES) expect(await impersonate(ns, DEPLOYER)).toBe(true);
    expect(await impersonate('team-a', 'default')).toBe(false);
    expect(await impersonate(STORE_NAMESPACE, 'appstore')).toBe(false);
    expect(await review(POD_SA, { verb: 'impersonate', resource: 'users', name: 'system:admin' })).toBe(false);
    expect(await review(POD_SA, { verb: 'impersonate', resource: 'groups', name: 'system:masters' })).toBe(false);
    // Its own identity writes Helm's release Secrets in the target namespaces, not the releases' objects.
    expect(await can(POD_SA, 'create', 'secrets', '-n', 'team-a')).toBe(true);
    expect(await can(POD_SA, 'create', 'deployments.apps', '-n', 'team-a')).toBe(false);
    expect(await can(POD_SA, 'patch', 'configmaps', '-n', 'team-a')).toBe(false);
    expect(await can(POD_SA, 'create', 'secrets', '-n', 'default')).toBe(false);
    expect(await can(POD_SA, 'list', 'secrets', '--all-namespaces')).toBe(true); // Helm's records by label, in every namespace
    expect(await can(POD_SA, 'watch', 'secrets', '--all-namespaces')).toBe(true); // the engine's release cache
  });

  it('lets appstore-deployer write in its own namespace and nowhere else', async () => {
    expect(await can(deployerOf('team-a'), 'create', 'deployments.apps', '-n', 'team-a')).toBe(true);
    expect(await can(deployerOf('team-a'), 'delete', 'secrets', '-n', 'team-a')).toBe(true);
    expect(await can(deployerOf('team-a'), 'create', 'deployments.apps', '-n', 'team-b')).toBe(false);
    expect(await can(deployerOf('team-a'), 'create', 'configmaps', '-n', 'default')).toBe(false);
    expect(await can(deployerOf('team-a'), 'get', 'secrets', '-n', STORE_NAMESPACE)).toBe(false);
    expect(await can(deployerOf('team-a'), 'create', 'clusterroles.rbac.authorization.k8s.io')).toBe(false);
    expect(await can(deployerOf('team-a'), 'create', 'namespaces')).toBe(false);
    expect(await can(deployerOf(unlisted), 'create', 'configmaps', '-n', unlisted)).toBe(false);
  });

  it('carries impersonated requests of the pod token: as the deployer of team-a into team-a only', async () => {
    const create = (as: string | undefined, ns: string) =>
      kubectl(['--kubeconfig', podKubeconfig, ...(as ? ['--as', as] : []), 'create', 'configmap', 'probe', '-n', ns, '--dry-run=server']);
    expect((await create(deployerOf('team-a'), 'team-a')).code).toBe(0);
    const elsewhere = await create(deployerOf('team-a'), 'team-b');
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.stderr).toContain(`User "${deployerOf('team-a')}" cannot create resource "configmaps"`);
    for (const as of [`system:serviceaccount:team-a:default`, 'system:admin']) {
      const refused = await create(as, 'team-a');
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/cannot impersonate/);
    }
    const itself = await create(undefined, 'team-a');
    expect(itself.stderr).toContain(`User "${POD_SA}" cannot create resource "configmaps"`);
  });

  it('is enough for the engine, built as its image builds it and run with the pod token, to install only where granted', async () => {
    const binary = await buildAsTheImage(dir);
    const port = await freePort();
    const args = (engine.args as string[]).map((a) => (a.startsWith('-listen=') ? `-listen=127.0.0.1:${port}` : a));
    const procs = new ProcessGroup(dir);
    const client = new TillerClient(`127.0.0.1:${port}`, { readTimeoutMs: 5000 });
    const clients = [client];
    const chart = (v: string) => loadChartArchive(readFileSync(join(env.repoDir, `hello-${v}.tgz`)));
    const name = `deploy-engine-${process.pid}`;
    try {
      procs.start('appstore-engine', binary, [...args, `-kubeconfig=${podKubeconfig}`], { HOME: dir });
      await waitFor('the engine as the pod ServiceAccount', async () => (await client.version()) !== '', 60_000, () => procs.tail('appstore-engine'));
      // Its release cache (a watch of owner=helm Secrets in every namespace) synced under the pod's RBAC.
      expect(procs.tail('appstore-engine', 200)).not.toMatch(/release cache: (not synced|watch of)/);
      const installed = await client.install({ chart: await chart('1.0.0'), name, namespace: 'team-a', valuesYaml: 'message: as the deployer\n' });
      expect(installed.info?.status?.code).toBe(ReleaseStatusCode.DEPLOYED);
      expect((await kube.core.readNamespacedConfigMap({ name: `${name}-hello`, namespace: 'team-a' })).data?.message).toBe('as the deployer');
      expect((await kube.core.readNamespacedSecret({ name: `sh.helm.release.v1.${name}.v1`, namespace: 'team-a' })).metadata?.labels?.owner).toBe('helm');
      expect((await client.list({})).map((r) => r.name)).toContain(name);
      expect((await client.upgrade({ chart: await chart('1.1.0'), name, valuesYaml: 'message: upgraded\n' })).version).toBe(2);
      await client.uninstall(name, { purge: true });
      // A namespace where the overlay gave no deployer: the engine cannot write there, and nothing is left.
      const refused = await client.install({ chart: await chart('1.0.0'), name: `${name}-x`, namespace: unlisted }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(AppStoreError);
      expect((refused as AppStoreError).message).toMatch(/forbidden: User "system:serviceaccount:/);
      expect((await kube.apps.listNamespacedDeployment({ namespace: unlisted })).items).toEqual([]);
      // Without the impersonation, the pod's own identity cannot write a release's objects: the install above went
      // through appstore-deployer.
      await procs.stopAll();
      const plain = args.filter((a) => !a.startsWith('-impersonate-serviceaccount='));
      procs.start('appstore-engine-plain', binary, [...plain, `-kubeconfig=${podKubeconfig}`], { HOME: dir });
      // A channel of its own: the first one saw its engine go away and may still be backing off from it.
      const plainClient = new TillerClient(`127.0.0.1:${port}`, { readTimeoutMs: 5000 });
      clients.push(plainClient);
      await waitFor('the engine without impersonation', async () => (await plainClient.version()) !== '', 60_000, () => procs.tail('appstore-engine-plain'));
      const itself = await plainClient.install({ chart: await chart('1.0.0'), name: `${name}-self`, namespace: 'team-a' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((itself as AppStoreError).message).toContain(`User "${POD_SA}" cannot`);
      expect((await kube.apps.listNamespacedDeployment({ namespace: 'team-a' })).items.map((d) => d.metadata?.name)).not.toContain(`${name}-self-hello`);
    } finally {
      for (const c of clients) c.close();
      await procs.stopAll();
    }
  }, 10 * 60_000);
});

describe('engine/Dockerfile (it cannot be built here)', () => {
  const instructions = readFileSync(join(repoRoot, 'engine', 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const froms = instructions.filter((l) => /^FROM\s/i.test(l));

  it('builds with Go in one stage and runs a binary alone on distroless/static as the pod non-root user', () => {
    expect(froms).toHaveLength(2);
    expect(froms[0]).toMatch(/^FROM\s+golang:1\.26[\w.-]*\s+AS\s+build$/i);
    expect(froms[1]).toMatch(/^FROM\s+(gcr\.io\/distroless\/static[\w.:-]*|scratch)$/);
    const final = instructions.slice(instructions.indexOf(froms[1]!));
    expect(final.filter((l) => /^COPY\s/.test(l))).toEqual(['COPY --from=build /out/appstore-engine /appstore-engine']);
    const user = final.filter((l) => /^USER\s/.test(l)).pop();
    expect(user).toBe(`USER ${String(engine.securityContext.runAsUser)}:${String(engine.securityContext.runAsGroup)}`);
    expect(final).toContain('ENTRYPOINT ["/appstore-engine"]');
    for (const line of instructions.filter((l) => /^COPY\s/.test(l) && !/--from=/.test(l))) {
      for (const source of line.split(/\s+/).slice(1, -1)) expect(existsSync(join(repoRoot, 'engine', source))).toBe(true);
    }
  });
});

/**
 * Runs the build command of engine/Dockerfile (its `RUN CGO_ENABLED=0 ... go build ...` line) on the engine's module,
 * with the output in dir, and checks that the binary is static: an ELF executable with no program interpreter and no
 * dynamic section, which distroless/static (no libc) can run.
 */
async function buildAsTheImage(dir: string): Promise<string> {
  const dockerfile = readFileSync(join(repoRoot, 'engine', 'Dockerfile'), 'utf8');
  const line = dockerfile.split('\n').find((l) => /^RUN .*go build/.test(l));
  if (line === undefined) throw new Error('engine/Dockerfile has no go build line');
  const words = (line.replace(/^RUN\s+/, '').match(/(?:[^\s']+|'[^']*')+/g) ?? []).map((w) => w.replace(/'/g, ''));
  const vars = Object.fromEntries(words.filter((w) => /^[A-Z_]+=/.test(w)).map((w) => w.split('=', 2) as [string, string]));
  expect(vars).toMatchObject({ CGO_ENABLED: '0', GOOS: 'linux' });
  const argv = words.filter((w) => !/^[A-Z_]+=/.test(w));
  const out = join(dir, 'appstore-engine');
  const goArgs = argv.slice(1).map((a, i, all) => (all[i - 1] === '-o' ? out : a));
  await run(argv[0]!, goArgs, { cwd: join(repoRoot, 'engine'), env: { ...process.env, ...vars }, maxBuffer: 16 * 1024 * 1024, timeout: 15 * 60_000 });
  const elf = readFileSync(out);
  expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const [phentsize, phnum] = [elf.readUInt16LE(0x36), elf.readUInt16LE(0x38)];
  const types = Array.from({ length: phnum }, (_, i) => elf.readUInt32LE(phoff + i * phentsize));
  expect(types).not.toContain(3); // PT_INTERP: no dynamic loader
  expect(types).not.toContain(2); // PT_DYNAMIC: no shared libraries
  return out;
}
