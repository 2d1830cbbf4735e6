import { AppStoreError } from '../../../src/domain/errors.js';
import { renderedObjects } from '../../../src/releases/rendered-objects.js';
import { TenancyCheck } from '../../../src/releases/tenancy-check.js';
import type { ObjectScopes } from '../../../src/releases/types.js';

/** Scopes as a 1.34 API server's discovery documents these kinds; anything else is not served. */
const scopes: ObjectScopes = {
  scopeOf: (apiVersion, kind) => {
    const cluster = ['ClusterRole', 'ClusterRoleBinding', 'Namespace', 'CustomResourceDefinition', 'PersistentVolume'];
    const namespaced = ['ConfigMap', 'Secret', 'Deployment', 'Job', 'CronJob', 'Service', 'RoleBinding'];
    return Promise.resolve(cluster.includes(kind) ? 'cluster' : namespaced.includes(kind) ? 'namespaced' : undefined);
  },
};

const check = (allowed = false) => new TenancyCheck({ scopes, allowsClusterScoped: (app) => allowed && app === 'trusted/crds' });
const release = (manifest: string, hooks: Array<{ name: string; manifest: string }> = []) => ({ manifest, hooks });
const target = { namespace: 'team-a', application: 'sample/x' };

describe('reading a rendered release', () => {
  test('splits at lines that are exactly ---, as kubectl does, and names the template', () => {
    const { objects, unreadable } = renderedObjects(
      release('---\n# Source: x/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---  \n# Source: x/templates/b.yaml\napiVersion: v1\nkind: Secret\nmetadata: {name: b, namespace: team-b}\n'),
    );
    expect(unreadable).toEqual([]);
    expect(objects.map((o) => [o.kind, o.name, o.namespace, o.source])).toEqual([
      ['ConfigMap', 'a', '', 'manifest (x/templates/a.yaml)'],
      ['Secret', 'b', 'team-b', 'manifest (x/templates/b.yaml)'],
    ]);
  });

  test('expands List items, nested Lists too', () => {
    const { objects } = renderedObjects(
      release('apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: ConfigMap, metadata: {name: deep, namespace: x}}]}\n'),
    );
    expect(objects.map((o) => `${o.kind}/${o.namespace}/${o.name}`)).toEqual(['ConfigMap/x/deep']);
  });

  test('fails closed on what it cannot read: bad YAML, non-objects, a namespace that is not a string', () => {
    const { unreadable } = renderedObjects(
      release('a: "unterminated\n---\n- just a list\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: n, namespace: 2024-01-01}\n---\nmetadata: {name: kindless}\n'),
    );
    expect(unreadable.map((u) => u.reason)).toEqual([
      expect.stringMatching(/^not readable YAML/),
      'a document that is not a Kubernetes object',
      'ConfigMap: metadata.name and metadata.namespace must be strings',
      'an object without apiVersion and kind',
    ]);
  });

  test('a repeated key keeps its last value, as Go\'s YAML reader does', () => {
    const { objects } = renderedObjects(release('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: team-a\n  namespace: team-b\n'));
    expect(objects[0]?.namespace).toBe('team-b');
  });

  test('reads hooks with their names', () => {
    const { objects } = renderedObjects(release('', [{ name: 'migrate', manifest: 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: m}\n' }]));
    expect(objects[0]?.source).toBe('hook migrate');
  });
});

describe('the tenancy check', () => {
  test('passes objects in the release namespace or with none', async () => {
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b, namespace: team-a}\n';
    await expect(check().assertConfined(release(manifest), target)).resolves.toBeUndefined();
  });

  test('refuses every object elsewhere and every cluster-scoped one, naming each', async () => {
    const manifest = [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: team-b}',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: root}',
      'apiVersion: example.org/v1\nkind: Widget\nmetadata: {name: w}',
    ].join('\n---\n');
    const err = (await check().assertConfined(release(manifest, [{ name: 'h', manifest: 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: kube-system}' }]), target).catch((e: unknown) => e)) as AppStoreError;
    expect(err).toBeInstanceOf(AppStoreError);
    expect(err.code).toBe('Unprocessable');
    expect(err.details.tenancy).toBe(true);
    expect(err.details.fields?.map((f) => f.path)).toEqual(['ConfigMap/team-b/a', 'ClusterRoleBinding/root', 'Widget/w', 'Job/kube-system/j']);
    expect(err.message).toMatch(/ConfigMap "a": in namespace team-b, outside the release's namespace team-a/);
    expect(err.message).toMatch(/ClusterRoleBinding "root": cluster-scoped/);
    expect(err.message).toMatch(/kind example.org\/v1 Widget is not served/);
    expect(err.details.fields?.[3]?.message).toMatch(/\(hook h\)$/);
  });

  test('an allowed package may create cluster-scoped objects, but still not write into another namespace', async () => {
    const manifest = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.org}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: team-b}\n';
    const offences = await check(true).offences(release(manifest), { namespace: 'team-a', application: 'trusted/crds' });
    expect(offences.map((o) => o.kind)).toEqual(['ConfigMap']);
  });

  test('asks Pod Security admission about the pods of workloads only, and reports its refusals', async () => {
    const asked: unknown[] = [];
    const tenancy = new TenancyCheck({
      scopes,
      allowsClusterScoped: () => false,
      admission: {
        refusals: (_ns, pods) => {
          asked.push(...pods);
          return Promise.resolve(pods.map((p) => ((p.spec as { hostNetwork?: boolean }).hostNetwork ? 'violates PodSecurity "baseline:latest": host namespaces' : undefined)));
        },
      },
    });
    const manifest = [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {template: {metadata: {annotations: {a: b}}, spec: {hostNetwork: true, containers: [{name: c, image: i}]}}}',
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec: {jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: i}]}}}}}',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}',
    ].join('\n---\n');
    const offences = await tenancy.offences(release(manifest), target);
    expect(asked).toHaveLength(2);
    expect(asked[0]).toEqual({ metadata: { annotations: { a: 'b' } }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'i' }] } });
    expect(offences.map((o) => `${o.kind}/${o.name}: ${o.reason}`)).toEqual(['Deployment/web: violates PodSecurity "baseline:latest": host namespaces']);
  });

  test('lists the cluster-scoped objects of a rendered chart, and those of kinds not served', async () => {
    const manifest = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: x.io/v1\nkind: Thing\nmetadata: {name: t}\n';
    expect(await check().clusterScoped(release(manifest))).toEqual([
      { kind: 'Namespace', name: 'n', served: true },
      { kind: 'Thing', name: 't', served: false },
    ]);
  });
});
