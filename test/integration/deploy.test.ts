/**
 * deploy/: the example overlay renders with kustomize (built into kubectl, a
 * peer built from Go modules), the real kube-apiserver accepts every object in
 * a server-side dry run, and a copy with a typo or an invalid value is refused.
 * The rendered objects are checked for what the design asks of them (Tiller on
 * loopback only, least-privilege RBAC, the NetworkPolicy, probes, security
 * contexts, labels). Its RBAC is applied for real: `kubectl auth can-i` as the
 * store's ServiceAccount, then Tiller (with the rendered arguments) and the
 * store (with the rendered environment) run on that ServiceAccount's token,
 * install, upgrade and delete in a target namespace and are refused elsewhere.
 * The Dockerfile, which cannot be built here, is checked statically.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { loadConfig } from '../../src/config.js';
import { loadIdentityConfig } from '../../src/identity/identity-config.js';
import { parseNamespacePolicy } from '../../src/identity/namespace-policy-file.js';
import { parseStaticTokens } from '../../src/identity/static-token-file.js';
import { repoRoot } from '../harness/paths.js';
import { TILLER_HISTORY_MAX } from '../harness/cluster.js';
import { readTestEnv, type TestEnv } from '../harness/test-env.js';
import { freePort, waitFor } from '../harness/net.js';
import { ProcessGroup } from '../harness/processes.js';
import { STORE_NODE_FLAGS } from '../harness/store-node-flags.js';
import { find, kubectlFor, parseAll, render as renderWith, serviceAccountKubeconfig, type Kubectl, type Obj } from './deploy-kit.js';
import { ensureNamespace, kubeClients } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const OVERLAY = 'deploy/overlays/example';
const STORE_NAMESPACE = 'appstore';
const TARGET_NAMESPACES = ['team-a', 'team-b'];
const TILLER_IMAGE = 'ghcr.io/helm/tiller:v2.17.0';

let env: TestEnv;
let kubectl: Kubectl;
const render = (dir: string): Promise<string> => renderWith(kubectl, dir);
const parse = parseAll;

/** A copy of deploy/ in a temporary folder, with `edit` applied to one of its files. */
function brokenCopy(file: string, edit: (text: string) => string): { dir: string; overlay: string } {
  const dir = mkdtempSync(join(tmpdir(), 'appstore-deploy-'));
  cpSync(join(repoRoot, 'deploy'), join(dir, 'deploy'), { recursive: true });
  const path = join(dir, 'deploy', file);
  const before = readFileSync(path, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`the edit of ${file} changed nothing`);
  writeFileSync(path, after);
  return { dir, overlay: join(dir, 'deploy', 'overlays', 'example') };
}

let rendered: string;
let objects: Obj[];
let deployment: Obj;
let podSpec: Obj;
let store: Obj;
let tiller: Obj;

beforeAll(async () => {
  env = readTestEnv();
  kubectl = kubectlFor(env);
  rendered = await render(OVERLAY);
  objects = parse(rendered);
  // The target namespaces exist already (the operator's); the overlay labels them for Pod Security, and creates the
  // store's namespace. Namespaces are applied first, as `kubectl apply -k` would (a dry run of objects in a namespace
  // that does not exist fails).
  const kube = kubeClients(env);
  for (const ns of TARGET_NAMESPACES) await ensureNamespace(kube, ns);
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  expect(namespaces.map((o) => o.metadata.name).sort()).toEqual([STORE_NAMESPACE, ...TARGET_NAMESPACES].sort());
  const created = await kubectl(['apply', '-f', '-'], namespaces.map((o) => yaml.dump(o)).join('---\n'));
  if (created.code !== 0) throw new Error(`kubectl apply of the store namespace failed:\n${created.stderr}`);
  deployment = find(objects, 'Deployment', 'appstore', STORE_NAMESPACE);
  podSpec = deployment.spec.template.spec;
  const all: Obj[] = [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])];
  store = all.find((c) => c.name === 'appstore') ?? {};
  tiller = all.find((c) => c.image === TILLER_IMAGE) ?? {};
});

describe('kubectl apply --dry-run=server against the real API server', () => {
  it('accepts every object of the example overlay', async () => {
    const run = await kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], rendered);
    expect(run.code).toBe(0);
    // No warning (deprecated API, unknown field, Pod Security), except about a namespace created outside kubectl apply.
    const warnings = run.stderr.split('\n').filter((l) => l !== '' && !/namespaces\/\S+ is missing the kubectl.kubernetes.io\/last-applied/.test(l));
    expect(warnings).toEqual([]);
    // One line per object, e.g. "deployment.apps/appstore created (server dry run)".
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(objects.length);
    for (const line of lines) expect(line).toMatch(/ (created|configured|unchanged) \(server dry run\)$/);
    expect(run.stdout).toContain('deployment.apps/appstore');
    expect(run.stdout).toContain('networkpolicy.networking.k8s.io/appstore');
  });

  it('refuses a copy with a typo in a field name', async () => {
    const copy = brokenCopy('base/deployment.yaml', (t) => t.replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesytem: true'));
    try {
      const broken = await render(copy.overlay); // kustomize does not know the schema: it renders
      expect(broken).toContain('readOnlyRootFilesytem');
      const run = await kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], broken);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/unknown field.*readOnlyRootFilesytem/);
    } finally {
      rmSync(copy.dir, { recursive: true, force: true });
    }
  });

  it('refuses a copy with an invalid value', async () => {
    // A NetworkPolicy port out of range, set by the overlay's patch.
    const copy = brokenCopy('base/networkpolicy.yaml', (t) => t.replace('port: 9090', 'port: 90900'));
    try {
      const run = await kubectl(['apply', '--dry-run=server', '-f', '-'], await render(copy.overlay));
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/NetworkPolicy.*appstore.*is invalid.*90900/s);
    } finally {
      rmSync(copy.dir, { recursive: true, force: true });
    }
  });

  it('refuses a copy whose Deployment selects pods its template does not label', async () => {
    const copy = brokenCopy('base/deployment.yaml', (t) => t.replace(/(selector:\n\s+matchLabels:\n\s+app.kubernetes.io\/component:) server/, '$1 api'));
    try {
      const run = await kubectl(['apply', '--dry-run=server', '-f', '-'], await render(copy.overlay));
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/selector.*does not match template/);
    } finally {
      rmSync(copy.dir, { recursive: true, force: true });
    }
  });
});

describe('the rendered example overlay', () => {
  it('runs Tiller v2.17.0 as a sidecar on loopback only, with Secret storage in the store namespace', () => {
    expect(tiller.image).toBe(TILLER_IMAGE);
    expect(tiller.args).toEqual(expect.arrayContaining(['--listen=127.0.0.1:44134', '--probe-listen=127.0.0.1:44135', '--storage=secret']));
    expect(tiller.env).toEqual(
      expect.arrayContaining([
        { name: 'TILLER_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'TILLER_HISTORY_MAX', value: String(TILLER_HISTORY_MAX) },
      ]),
    );
    // A native sidecar: started before the store, stopped after it (in-flight installs still reach Tiller).
    expect(podSpec.initContainers).toContainEqual(expect.objectContaining({ name: tiller.name, restartPolicy: 'Always' }));
    expect(tiller.ports).toBeUndefined();
  });

  it('exposes nothing of Tiller: no Service or container port targets 44134 or 44135', () => {
    const services = objects.filter((o) => o.kind === 'Service');
    expect(services.map((s) => s.metadata.name).sort()).toEqual(['appstore-grpc', 'appstore-http']);
    for (const service of services) {
      for (const port of service.spec.ports) {
        expect([44134, 44135]).not.toContain(port.port);
        expect([44134, 44135, 'tiller']).not.toContain(port.targetPort);
      }
    }
    const containerPorts = [...podSpec.initContainers, ...podSpec.containers].flatMap((c: Obj) => c.ports ?? []);
    expect(containerPorts.map((p: Obj) => p.containerPort).sort()).toEqual([8080, 9090]);
    expect(rendered).not.toMatch(/hostNetwork|hostPort/);
  });

  it('serves REST on 8080 and gRPC on 9090 through Services that select the store pods', () => {
    const labels = deployment.spec.template.metadata.labels;
    const http = find(objects, 'Service', 'appstore-http', STORE_NAMESPACE);
    const grpc = find(objects, 'Service', 'appstore-grpc', STORE_NAMESPACE);
    expect(http.spec.ports).toEqual([expect.objectContaining({ port: 8080, targetPort: 'http' })]);
    expect(grpc.spec.ports).toEqual([expect.objectContaining({ port: 9090, targetPort: 'grpc' })]);
    for (const service of [http, grpc]) {
      for (const [key, value] of Object.entries(service.spec.selector)) expect(labels[key]).toBe(value);
    }
    expect(store.ports).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'http', containerPort: 8080 }), expect.objectContaining({ name: 'grpc', containerPort: 9090 })]),
    );
  });

  it('configures the store from its namespace, the pod name and a ConfigMap the store accepts', () => {
    expect(store.env).toEqual(
      expect.arrayContaining(
        ['TILLER_NAMESPACE', 'APPSTORE_NAMESPACE'].map((name) => ({ name, valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } })),
      ),
    );
    expect(store.env).toContainEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    const configMapName = store.envFrom[0].configMapRef.name as string;
    const data = find(objects, 'ConfigMap', configMapName, STORE_NAMESPACE).data as Record<string, string>;
    expect(data).toMatchObject({ HELM_HOST: '127.0.0.1:44134', APPSTORE_HTTP_PORT: '8080', APPSTORE_GRPC_PORT: '9090' });
    // What the pod's environment would be, run through the store's own configuration loaders.
    const vars = { ...data, TILLER_NAMESPACE: STORE_NAMESPACE, APPSTORE_NAMESPACE: STORE_NAMESPACE, POD_NAME: 'appstore-0' };
    const config = loadConfig(vars);
    expect(config).toMatchObject({ helmHost: '127.0.0.1:44134', tillerNamespace: STORE_NAMESPACE, namespace: STORE_NAMESPACE, httpPort: 8080, grpcPort: 9090 });
    expect(loadIdentityConfig(vars).authenticators).toEqual(['static', 'serviceaccount']);
    // The mounted files are where the variables say, and parse.
    const mount = store.volumeMounts.find((m: Obj) => m.name === 'config');
    expect(data.APPSTORE_TOKENS_FILE).toBe(`${mount.mountPath}/tokens.csv`);
    expect(data.APPSTORE_NAMESPACES_FILE).toBe(`${mount.mountPath}/namespaces.yaml`);
    const sources = podSpec.volumes.find((v: Obj) => v.name === 'config').projected.sources as Obj[];
    const secretName = sources.find((s) => s.secret !== undefined)?.secret.name as string;
    const policyName = sources.find((s) => s.configMap !== undefined)?.configMap.name as string;
    const tokens = Buffer.from(find(objects, 'Secret', secretName, STORE_NAMESPACE).data['tokens.csv'], 'base64').toString();
    expect(parseStaticTokens(tokens).map((t) => t.userId)).toEqual(['alice', 'bob']);
    const policy = parseNamespacePolicy(find(objects, 'ConfigMap', policyName, STORE_NAMESPACE).data['namespaces.yaml']);
    expect([...policy.keys()].sort()).toEqual(TARGET_NAMESPACES);
  });

  it('probes gRPC health, /healthz and /readyz', () => {
    expect(store.livenessProbe.grpc).toEqual({ port: 9090 });
    expect(store.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(store.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    // The store gives in-flight calls 25 s after SIGTERM, and exits at 30 s at the latest.
    expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
  });

  it('runs both containers non-root, read-only, without privileges, with resources', () => {
    expect(podSpec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const container of [store, tiller]) {
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(container.securityContext.runAsUser).toBeGreaterThan(0);
      expect(container.securityContext.capabilities.add).toBeUndefined();
      expect(container.resources).toMatchObject({ requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { memory: expect.any(String) } });
      // A writable /tmp, as the root filesystem is read-only.
      const tmp = container.volumeMounts.find((m: Obj) => m.mountPath === '/tmp');
      expect(podSpec.volumes.find((v: Obj) => v.name === tmp?.name)?.emptyDir).toBeDefined();
    }
    expect(podSpec.serviceAccountName).toBe('appstore');
  });

  it('labels its objects with app.kubernetes.io labels', () => {
    const keys = ['name', 'instance', 'version', 'component', 'part-of', 'managed-by'].map((k) => `app.kubernetes.io/${k}`);
    for (const labels of [deployment.metadata.labels, deployment.spec.template.metadata.labels]) {
      expect(Object.keys(labels)).toEqual(expect.arrayContaining(keys));
    }
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) {
      expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'appstore', 'app.kubernetes.io/part-of': 'appstore' });
    }
  });

  it('labels each target namespace for Pod Security: baseline enforced by default, restricted where the overlay says', () => {
    const labels = (name: string) => find(objects, 'Namespace', name).metadata.labels as Record<string, string>;
    expect(labels('team-a')).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    expect(labels('team-b')).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(labels(STORE_NAMESPACE)).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
  });

  it('lets only the named namespaces reach gRPC (9090), and anyone reach REST (8080)', () => {
    const policy = find(objects, 'NetworkPolicy', 'appstore', STORE_NAMESPACE);
    for (const [key, value] of Object.entries(policy.spec.podSelector.matchLabels)) {
      expect(deployment.spec.template.metadata.labels[key]).toBe(value);
    }
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    const rules = policy.spec.ingress as Obj[];
    const ports = (rule: Obj): unknown[] => (rule.ports ?? []).map((p: Obj) => p.port);
    const grpcRules = rules.filter((r) => ports(r).includes(9090));
    expect(grpcRules).toHaveLength(1);
    expect(grpcRules[0]!.from).toEqual([
      { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: TARGET_NAMESPACES }] } },
    ]);
    // No rule opens every port (a rule without ports) and 8080 is open to all.
    expect(rules.every((r) => ports(r).length > 0)).toBe(true);
    expect(rules.find((r) => ports(r).includes(8080))?.from).toBeUndefined();
  });

  it('grants least privilege: the store namespace, a Role per target namespace, and reviews cluster-wide', () => {
    const subject = { kind: 'ServiceAccount', name: 'appstore', namespace: STORE_NAMESPACE };
    const role = find(objects, 'Role', 'appstore', STORE_NAMESPACE);
    expect(role.rules.map((r: Obj) => r.resources).flat().sort()).toEqual(['leases', 'secrets']);
    expect(find(objects, 'RoleBinding', 'appstore', STORE_NAMESPACE).subjects).toEqual([subject]);
    for (const ns of TARGET_NAMESPACES) {
      const deployer = find(objects, 'Role', 'tiller-deployer', ns);
      const resources = deployer.rules.flatMap((r: Obj) => r.resources);
      expect(resources).toEqual(expect.arrayContaining(['deployments', 'services', 'configmaps', 'secrets', 'ingresses', 'jobs']));
      const binding = find(objects, 'RoleBinding', 'tiller-deployer', ns);
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tiller-deployer' });
      expect(binding.subjects).toEqual([subject]);
    }
    const clusterRoles = objects.filter((o) => o.kind === 'ClusterRole');
    expect(clusterRoles).toHaveLength(1);
    expect(clusterRoles[0]!.rules).toEqual([
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] },
    ]);
    expect(find(objects, 'ClusterRoleBinding', 'appstore').subjects).toEqual([subject]);
    // No wildcard anywhere, and Roles only in the store namespace and the target namespaces.
    for (const r of objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')) {
      for (const rule of r.rules) expect([...rule.verbs, ...rule.resources, ...rule.apiGroups]).not.toContain('*');
    }
    const roleNamespaces = new Set(objects.filter((o) => o.kind === 'Role').map((o) => o.metadata.namespace));
    expect([...roleNamespaces].sort()).toEqual([STORE_NAMESPACE, ...TARGET_NAMESPACES].sort());
  });
});

describe('the RBAC, applied for real', () => {
  const rbacKinds = new Set(['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);
  let manifest: string;
  const as = `system:serviceaccount:${STORE_NAMESPACE}:appstore`;
  const can = async (...args: string[]): Promise<boolean> => {
    const run = await kubectl(['auth', 'can-i', '--as', as, ...args]);
    return run.stdout.trim() === 'yes';
  };

  beforeAll(async () => {
    manifest = objects.filter((o) => rbacKinds.has(o.kind)).map((o) => yaml.dump(o)).join('---\n');
    const run = await kubectl(['apply', '-f', '-'], manifest);
    if (run.code !== 0) throw new Error(`kubectl apply of the RBAC failed:\n${run.stderr}`);
  });

  afterAll(async () => {
    if (manifest !== undefined) await kubectl(['delete', '--ignore-not-found', '--wait=false', '-f', '-'], manifest);
  });

  it('lets the store ServiceAccount do what the store and Tiller need, and no more', async () => {
    // The store: records, client secrets and Tiller's release Secrets; release Leases; reviews; namespaces.
    expect(await can('create', 'secrets', '-n', STORE_NAMESPACE)).toBe(true);
    expect(await can('list', 'secrets', '-n', STORE_NAMESPACE)).toBe(true);
    // Records and Tiller's stored releases are held in memory from a watch.
    expect(await can('watch', 'secrets', '-n', STORE_NAMESPACE)).toBe(true);
    expect(await can('update', 'leases.coordination.k8s.io', '-n', STORE_NAMESPACE)).toBe(true);
    expect(await can('create', 'tokenreviews.authentication.k8s.io')).toBe(true);
    expect(await can('create', 'subjectaccessreviews.authorization.k8s.io')).toBe(true);
    expect(await can('list', 'namespaces')).toBe(true);
    // Tiller: releases' objects in the target namespaces.
    for (const ns of TARGET_NAMESPACES) {
      expect(await can('create', 'deployments.apps', '-n', ns)).toBe(true);
      expect(await can('patch', 'services', '-n', ns)).toBe(true);
      expect(await can('delete', 'ingresses.networking.k8s.io', '-n', ns)).toBe(true);
    }
    // Nothing elsewhere.
    expect(await can('create', 'deployments.apps', '-n', 'default')).toBe(false);
    expect(await can('get', 'secrets', '-n', 'kube-system')).toBe(false);
    expect(await can('list', 'secrets', '--all-namespaces')).toBe(false);
    expect(await can('watch', 'secrets', '--all-namespaces')).toBe(false);
    expect(await can('create', 'namespaces')).toBe(false);
    expect(await can('create', 'clusterrolebindings.rbac.authorization.k8s.io')).toBe(false);
    expect(await can('create', 'deployments.apps', '-n', STORE_NAMESPACE)).toBe(false);
  });

  it('is enough for the store and Tiller, run with the ServiceAccount token, to install only where granted', async () => {
    // The pod, as far as it can be run here: Tiller with the rendered arguments (on free loopback ports) and the
    // store with the rendered environment, both as the ServiceAccount, in the store namespace.
    const dir = mkdtempSync(join(tmpdir(), 'appstore-deploy-sa-'));
    const kubeconfig = await serviceAccountKubeconfig(kubectl, env, STORE_NAMESPACE, 'appstore', dir);
    const [grpcPort, probePort] = [await freePort(), await freePort()];
    const helmHost = `127.0.0.1:${grpcPort}`;
    const args = (tiller.args as string[]).map((a) =>
      a.startsWith('--listen=') ? `--listen=${helmHost}` : a.startsWith('--probe-listen=') ? `--probe-listen=127.0.0.1:${probePort}` : a,
    );
    const tillerEnv = { KUBECONFIG: kubeconfig, TILLER_NAMESPACE: STORE_NAMESPACE, TILLER_HISTORY_MAX: String(TILLER_HISTORY_MAX) };
    const procs = new ProcessGroup(dir);
    let running: RunningStore | undefined;
    const unlisted = 'deploy-it-no-role';
    const kube = kubeClients(env);
    await ensureNamespace(kube, unlisted);
    try {
      procs.start('tiller', env.cluster.peers.tiller ?? 'tiller', args, tillerEnv);
      await waitFor('Tiller as the ServiceAccount', () => fetch(`http://127.0.0.1:${probePort}/readiness`).then((r) => r.ok), 30_000, () => procs.tail('tiller'));
      running = await startStore(env, {
        namespace: STORE_NAMESPACE,
        deployNamespaces: [...TARGET_NAMESPACES, unlisted],
        extraEnv: { HELM_HOST: helmHost, KUBECONFIG: kubeconfig, TILLER_NAMESPACE: STORE_NAMESPACE, POD_NAME: 'appstore-it' },
      });
      const call = api(running.url);
      expect((await call('GET', '/readyz')).status).toBe(200);
      const installed = await call('POST', '/releases', {
        user: 'alice',
        body: { application: 'sample/hello', version: '1.0.0', namespace: TARGET_NAMESPACES[0], values: { message: 'deployed as the ServiceAccount' } },
      });
      expect(installed.status).toBe(200);
      const id = String(installed.json.id);
      // Tiller's release Secret and the store's record, both in the store namespace.
      const secrets = await kube.core.listNamespacedSecret({ namespace: STORE_NAMESPACE });
      expect(secrets.items.some((s) => s.metadata?.labels?.OWNER === 'TILLER' && s.metadata.labels.NAME === id)).toBe(true);
      const status = await call('GET', `/releases/${id}/status`, { user: 'alice' });
      expect(status.status).toBe(200);
      expect(JSON.stringify(status.json)).toContain('Deployment');
      const upgraded = await call('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '1.1.0' } });
      expect(upgraded.status).toBe(200);
      expect((await call('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
      // A namespace the store's policy allows but where Tiller has no Role: Tiller is refused, nothing is left.
      const refused = await call('POST', '/releases', { user: 'alice', body: { application: 'sample/hello', version: '1.0.0', namespace: unlisted } });
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(String(refused.json.detail)).toMatch(new RegExp(`forbidden: User "system:serviceaccount:${STORE_NAMESPACE}:appstore" cannot create .* in the namespace "${unlisted}"`));
      expect((await kube.apps.listNamespacedDeployment({ namespace: unlisted })).items).toEqual([]);
    } finally {
      await running?.stop();
      await procs.stopAll();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/Dockerfile (it cannot be built here)', () => {
  const dockerfile = readFileSync(join(repoRoot, 'deploy', 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it('is multi-stage on Node 24, installs production dependencies only and runs as non-root', () => {
    const froms = instructions.filter((l) => /^FROM\s/i.test(l));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^FROM\s+node:24[\w.-]*(\s+AS\s+\w+)?$/i);
    const final = instructions.slice(instructions.lastIndexOf(froms[froms.length - 1]!));
    expect(final.some((l) => /^RUN\s.*npm ci\b.*--omit=dev/.test(l))).toBe(true);
    expect(final.some((l) => /^COPY\s+--from=/.test(l))).toBe(true);
    const user = final.filter((l) => /^USER\s/i.test(l)).pop();
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(:|$)/i);
    // The pod's runAsUser is the image's user, so that files it owns match.
    expect(user).toMatch(new RegExp(`^USER\\s+${String(store.securityContext.runAsUser)}(:|$)`));
    const entrypoint = instructions.find((l) => /^ENTRYPOINT\s.*dist\/src\/main\.js/.test(l));
    expect(entrypoint).toBeDefined();
    // The flags the tests, `make run` and the benchmark start the store with.
    for (const flag of STORE_NODE_FLAGS) expect(JSON.parse(entrypoint!.replace(/^ENTRYPOINT\s+/, ''))).toContain(flag);
    expect(instructions.filter((l) => /^EXPOSE\s/.test(l)).join(' ')).toMatch(/8080.*9090/);
  });

  it('builds from files that exist in the repository', () => {
    for (const line of instructions.filter((l) => /^COPY\s/.test(l) && !/--from=/.test(l))) {
      for (const source of line.split(/\s+/).slice(1, -1)) expect(existsSync(join(repoRoot, source))).toBe(true);
    }
  });
});
