/**
 * The seed's REST API end to end: the store composed as in production, on the
 * real Tiller v2.17 and kube-apiserver, the sample repository over HTTP, and
 * three users from a static token file (alice and bob share the group
 * fc:org:example.org; carol is a stranger to their releases).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, eventually, kubeClients } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const run = promisify(execFile);
const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-rest';
let running: RunningStore;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  running = await startStore(env, { namespace: 'appstore-rest', deployNamespaces: [namespace] });
  call = api(running.url);
});

afterAll(() => running?.stop());

const install = (user: 'alice' | 'bob' | 'carol', body: Record<string, unknown>, query = '') =>
  call('POST', `/releases${query}`, { user, body: { namespace, ...body } });

describe('the catalog is public', () => {
  test('GET /packages lists the sample charts without credentials', async () => {
    const res = await call('GET', '/packages');
    expect(res.status).toBe(200);
    const ids = (res.json as Array<{ id: string }>).map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['sample/hello', 'sample/stack', 'sample/oidc-app']));
    expect(res.headers.get('x-total-count')).toBe(String(ids.length));
  });

  test('GET /packages carries the catalog\'s entity tag: If-None-Match gets 304, another page another tag', async () => {
    const full = await call('GET', '/packages');
    const etag = full.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]{32}"$/);
    expect((await call('GET', '/packages')).headers.get('etag')).toBe(etag);
    // fetch adds "Cache-Control: no-cache" (an end-to-end reload, always 200) to a request with If-None-Match unless
    // the request has a Cache-Control of its own.
    const revalidate = { 'if-none-match': etag, 'cache-control': 'max-age=0' };
    const notModified = await call('GET', '/packages', { headers: revalidate });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    const page = await call('GET', '/packages?limit=1');
    expect(page.headers.get('etag')).not.toBe(etag);
    expect((await call('GET', '/packages?limit=1', { headers: revalidate })).status).toBe(200);
    // From the content: a second store over the same repository (another replica) gives the same tag.
    const replica = await startStore(env, { namespace: 'appstore-rest-replica', deployNamespaces: [] });
    try {
      expect((await api(replica.url)('GET', '/packages')).headers.get('etag')).toBe(etag);
    } finally {
      await replica.stop();
    }
  });

  test('GET /packages filters by repository and by keyword; the ranked search works within', async () => {
    const ids = async (query: string) => ((await call('GET', `/packages?${query}`)).json as Array<{ id: string }>).map((p) => p.id);
    const all = await ids('');
    expect(await ids('repo=sample')).toEqual(all);
    expect(await ids('repo=nowhere')).toEqual([]);
    const web = await ids('keyword=WEB');
    expect(web).toEqual(expect.arrayContaining(['sample/hello', 'sample/oidc-app']));
    expect(web).not.toContain('sample/notebook');
    expect(await ids('keyword=oauth2&repo=sample')).toEqual(['sample/notebook']);
    expect(await ids('keyword=web&query=oidc')).toEqual(['sample/oidc-app']);
    expect((await call('GET', `/packages?keyword=${'k'.repeat(201)}`)).status).toBe(400);
  });

  test('a forged token is refused even on a public endpoint', async () => {
    const res = await call('GET', '/packages', { token: 'forged' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});

describe('a release through its whole life', () => {
  let id = '';

  test('POST /releases installs and answers the accepted input plus id and owner, as the seed shows', async () => {
    const body = {
      application: 'sample/hello',
      version: '1.0.0',
      adminGroups: ['fc:org:example.org'],
      development: false,
      values: { message: 'A nice blog about kubernetes', replicaCount: 2 },
    };
    const res = await install('alice', body);
    expect(res.status).toBe(200);
    id = String(res.json.id);
    expect(id).toMatch(/^[a-z]+-[a-z]+-[a-z]+$/);
    expect(res.json).toEqual({ id, owner: 'alice', namespace, ...body });
    const deployment = await kube.apps.readNamespacedDeployment({ name: `${id}-hello`, namespace });
    expect(deployment.spec?.replicas).toBe(2);
  });

  test('the release shows in helm list (v2 CLI, same Tiller)', async () => {
    const { stdout } = await run(env.cluster.peers.helm ?? 'helm', ['--host', env.cluster.helmHost, 'list', '--output', 'json', id], {
      env: { ...process.env, HELM_HOME: `${env.cluster.dir}/helm-home` },
    });
    expect(JSON.parse(stdout).Releases).toEqual([expect.objectContaining({ Name: id, Status: 'DEPLOYED', Namespace: namespace })]);
  });

  test('GET /releases/{id}: the owner and an adminGroup member see it; a stranger gets 404', async () => {
    const alice = await call('GET', `/releases/${id}`, { user: 'alice' });
    expect(alice.status).toBe(200);
    expect(alice.json).toMatchObject({ id, owner: 'alice', application: 'sample/hello', version: '1.0.0' });
    expect((await call('GET', `/releases/${id}`, { user: 'bob' })).json).toEqual(alice.json);
    const carol = await call('GET', `/releases/${id}`, { user: 'carol' });
    expect(carol.status).toBe(404);
    expect(carol.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await call('GET', '/releases/no-such-release', { user: 'carol' })).json).toMatchObject({
      status: 404,
      detail: 'release no-such-release not found',
    });
  });

  test('GET /releases lists only what the caller may see', async () => {
    const alice = await call('GET', '/releases', { user: 'alice' });
    expect((alice.json as Array<{ id: string }>).map((r) => r.id)).toContain(id);
    const carol = await call('GET', '/releases', { user: 'carol' });
    expect((carol.json as Array<{ id: string }>).map((r) => r.id)).not.toContain(id);
  });

  test('GET /releases/{id}/status gives lastDeployed, status, notes and live resources', async () => {
    const status = await eventually('a Ready deployment in the status', async () => {
      const res = await call('GET', `/releases/${id}/status`, { user: 'bob' });
      const resources = res.json.resources as Array<{ kind: string; health: string; ready: string }>;
      return resources.some((r) => r.kind === 'Deployment' && r.health === 'Ready') ? res.json : undefined;
    });
    expect(status.lastDeployed).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(status).toMatchObject({ namespace, status: 'DEPLOYED' });
    expect(status.notes).toContain(id);
    expect(status.resources).toEqual(
      expect.arrayContaining([
        { kind: 'Deployment', apiVersion: 'apps/v1', name: `${id}-hello`, namespace, health: 'Ready', ready: '2/2' },
        { kind: 'Service', apiVersion: 'v1', name: `${id}-hello`, namespace, health: 'Ready', ready: '' },
        { kind: 'ConfigMap', apiVersion: 'v1', name: `${id}-hello`, namespace, health: 'Ready', ready: '' },
      ]),
    );
    expect((await call('GET', `/releases/${id}/status`, { user: 'carol' })).status).toBe(404);
  });

  test('PATCH to an unknown version is 422 and changes nothing', async () => {
    const res = await call('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '9.9.9' } });
    expect(res.status).toBe(422);
    expect(res.json.detail).toMatch(/no version 9\.9\.9/);
    expect((await call('GET', `/releases/${id}`, { user: 'alice' })).json.version).toBe('1.0.0');
  });

  test('a dry-run PATCH to 1.1.0 answers both manifests and the merged values, and changes nothing', async () => {
    const before = (await call('GET', `/releases/${id}/history`, { user: 'alice' })).json;
    const res = await call('PATCH', `/releases/${id}?dryRun=true`, { user: 'bob', body: { version: '1.1.0', values: { replicaCount: 1 } } });
    expect(res.status).toBe(200);
    const { current, proposed } = res.json as unknown as Record<'current' | 'proposed', { revision: number; version: string; manifest: string; notes: string; values: unknown }>;
    expect(current).toMatchObject({ revision: 1, version: '1.0.0', values: { message: 'A nice blog about kubernetes', replicaCount: 2 } });
    expect(proposed).toMatchObject({ revision: 2, version: '1.1.0', values: { message: 'A nice blog about kubernetes', replicaCount: 1 } });
    // The manifests differ where the versions and values do: a diff has something to show.
    expect(current.manifest).toMatch(/helm\.sh\/chart: hello-1\.0\.0$/m);
    expect(current.manifest).not.toMatch(/version: "1\.1\.0"/);
    expect(proposed.manifest).toMatch(/helm\.sh\/chart: hello-1\.1\.0$/m);
    expect(proposed.manifest).toMatch(/version: "1\.1\.0"/);
    expect(proposed.manifest).toMatch(/replicas: 1\b/);
    expect(current.manifest).toMatch(/replicas: 2\b/);
    expect(proposed.notes).toContain(id);
    // Nothing changed: the same history, record and live objects.
    expect((await call('GET', `/releases/${id}/history`, { user: 'alice' })).json).toEqual(before);
    expect((await call('GET', `/releases/${id}`, { user: 'alice' })).json).toMatchObject({ version: '1.0.0', values: { replicaCount: 2 } });
    expect((await kube.apps.readNamespacedDeployment({ name: `${id}-hello`, namespace })).spec?.replicas).toBe(2);
    // The dry run is as private as the upgrade, and as strict about versions.
    expect((await call('PATCH', `/releases/${id}?dryRun=true`, { user: 'carol', body: { version: '1.1.0' } })).status).toBe(404);
    expect((await call('PATCH', `/releases/${id}?dryRun=true`, { user: 'alice', body: { version: '9.9.9' } })).status).toBe(422);
  });

  test('PATCH upgrades to 1.1.0 with values merged into the current ones', async () => {
    const res = await call('PATCH', `/releases/${id}`, { user: 'bob', body: { version: '1.1.0', values: { replicaCount: 1 } } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id, version: '1.1.0', values: { message: 'A nice blog about kubernetes', replicaCount: 1 } });
    const config = await kube.core.readNamespacedConfigMap({ name: `${id}-hello`, namespace });
    expect(config.data).toMatchObject({ version: '1.1.0', message: 'A nice blog about kubernetes' });
  });

  test('PATCH with resetValues starts again from the chart defaults plus the values given', async () => {
    const res = await call('PATCH', `/releases/${id}`, { user: 'alice', body: { resetValues: true, values: { message: 'fresh' } } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ version: '1.1.0', values: { message: 'fresh' } });
    const deployment = await kube.apps.readNamespacedDeployment({ name: `${id}-hello`, namespace });
    expect(deployment.spec?.replicas).toBe(1);
  });

  test('a stranger cannot upgrade, roll back or delete (404)', async () => {
    expect((await call('PATCH', `/releases/${id}`, { user: 'carol', body: { version: '1.0.0' } })).status).toBe(404);
    expect((await call('POST', `/releases/${id}/rollback`, { user: 'carol', body: { revision: 1 } })).status).toBe(404);
    expect((await call('DELETE', `/releases/${id}`, { user: 'carol' })).status).toBe(404);
  });

  test('history lists revisions newest first; rollback restores revision 1', async () => {
    const history = await call('GET', `/releases/${id}/history`, { user: 'alice' });
    expect((history.json as Array<{ revision: number; version: string; status: string }>).map((r) => [r.revision, r.version, r.status])).toEqual([
      [3, '1.1.0', 'DEPLOYED'],
      [2, '1.1.0', 'SUPERSEDED'],
      [1, '1.0.0', 'SUPERSEDED'],
    ]);
    // Each revision carries the user's values it was made with.
    expect((history.json as Array<{ values: unknown }>).map((r) => r.values)).toEqual([
      { message: 'fresh' },
      { message: 'A nice blog about kubernetes', replicaCount: 1 },
      { message: 'A nice blog about kubernetes', replicaCount: 2 },
    ]);
    const preview = await call('POST', `/releases/${id}/rollback?dryRun=true`, { user: 'bob', body: { revision: 1 } });
    expect(preview.status).toBe(200);
    expect(preview.json).toMatchObject({
      current: { revision: 3, version: '1.1.0', values: { message: 'fresh' } },
      proposed: { revision: 4, version: '1.0.0', values: { message: 'A nice blog about kubernetes', replicaCount: 2 } },
    });
    expect((preview.json as unknown as { proposed: { manifest: string } }).proposed.manifest).toMatch(/replicas: 2\b/);
    expect((await call('GET', `/releases/${id}/history`, { user: 'alice' })).json).toEqual(history.json);
    expect((await call('POST', `/releases/${id}/rollback?dryRun=true`, { user: 'alice', body: { revision: 99 } })).status).toBe(422);
    const huge = await call('POST', `/releases/${id}/rollback`, { user: 'alice', body: { revision: 137438953471 } });
    expect(huge.status).toBe(400);
    expect(huge.json.errors).toEqual([{ path: 'revision', message: 'must be <= 2147483647' }]);
    const missing = await call('POST', `/releases/${id}/rollback`, { user: 'alice', body: { revision: 99 } });
    expect(missing.status).toBe(422);
    expect(missing.json.detail).toBe(`release ${id} has no revision 99`);
    const rollback = await call('POST', `/releases/${id}/rollback`, { user: 'alice', body: { revision: 1 } });
    expect(rollback.status).toBe(200);
    expect(rollback.json).toMatchObject({ version: '1.0.0', values: { replicaCount: 2 } });
    const metrics = (await call('GET', '/metrics')).text;
    if (env.cluster.engine === 'tiller') {
      // The history and the rollback's revision were read from Tiller's storage: Tiller was asked only about the
      // missing revision 99 (after its storage had nothing), so its rate-limited storage client is left to the writes.
      expect(metrics).not.toMatch(/appstore_tiller_call_duration_seconds_count\{[^}]*operation="history"/);
      expect(metrics).not.toMatch(/appstore_tiller_call_duration_seconds_count\{[^}]*operation="content",outcome="ok"/);
    } else {
      // The Helm engine has no such limiter: it is asked, and the store reads no Secrets of the target namespace.
      expect(metrics).toMatch(/appstore_tiller_call_duration_seconds_count\{[^}]*operation="history",outcome="ok"\} [1-9]/);
      expect(metrics).toMatch(/appstore_tiller_call_duration_seconds_count\{[^}]*operation="content",outcome="ok"\} [1-9]/);
    }
    expect(metrics).toMatch(/appstore_tiller_call_duration_seconds_count\{[^}]*operation="rollback",outcome="ok"\} 1/);
  });

  test('DELETE purges the release and its record', async () => {
    const res = await call('DELETE', `/releases/${id}`, { user: 'alice' });
    expect(res.status).toBe(204);
    expect((await call('GET', `/releases/${id}`, { user: 'alice' })).status).toBe(404);
    await expect(running.store.tiller.status(id)).rejects.toMatchObject({ code: 'NotFound' });
    await eventually('the Deployment to be gone', async () =>
      kube.apps.readNamespacedDeployment({ name: `${id}-hello`, namespace }).then(
        () => undefined,
        (err: { code?: number }) => (err.code === 404 ? true : undefined),
      ),
    );
  });
});

test('GET /namespaces lists where the caller may deploy', async () => {
  expect((await call('GET', '/namespaces', { user: 'bob' })).json).toEqual([namespace]);
  expect((await call('GET', '/namespaces', { user: 'carol' })).json).toEqual([namespace]);
  expect((await call('GET', '/namespaces')).status).toBe(401);
});

describe('bad requests get problem+json', () => {
  test('no credentials → 401 with WWW-Authenticate', async () => {
    const res = await call('GET', '/releases');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  test('malformed JSON → 400', async () => {
    const res = await call('POST', '/releases', { user: 'alice', rawBody: '{"application": ' });
    expect(res.status).toBe(400);
    expect(res.json.detail).toMatch(/malformed JSON/);
  });

  test('a body that is not JSON → 415; no body at all → 400', async () => {
    const text = await call('POST', '/releases', { user: 'alice', rawBody: 'application=hello', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    const empty = await call('POST', '/releases', { user: 'alice' });
    expect(empty.status).toBe(400);
    expect(empty.json.detail).toMatch(/invalid request body/);
  });

  test('an unknown field → 400 naming it', async () => {
    const res = await install('alice', { application: 'sample/hello', colour: 'blue' });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([{ path: 'colour', message: 'is not a known field' }]);
  });

  test('a body over 1 MiB → 413', async () => {
    const res = await install('alice', { application: 'sample/hello', values: { blob: 'x'.repeat(1024 * 1024 + 10) } });
    expect(res.status).toBe(413);
  });

  test('values that break the chart\'s values.schema.json → 422 listing each field', async () => {
    const res = await install('alice', { application: 'sample/hello', version: '1.0.0', values: { replicaCount: 99, message: 7 } });
    expect(res.status).toBe(422);
    expect((res.json.errors as Array<{ path: string }>).map((e) => e.path).sort()).toEqual(['message', 'replicaCount']);
  });

  test('adminGroups the caller is not a member of → 403', async () => {
    const res = await install('bob', { application: 'sample/hello', adminGroups: ['fc:adhoc:team-a'] });
    expect(res.status).toBe(403);
  });

  test('a namespace outside the caller\'s policy → 403', async () => {
    const res = await install('alice', { application: 'sample/hello', namespace: 'kube-system' });
    expect(res.status).toBe(403);
  });

  test('an unknown application → 404; an unknown version → 422', async () => {
    expect((await install('alice', { application: 'sample/nope' })).status).toBe(404);
    expect((await install('alice', { application: 'sample/hello', version: '0.0.1' })).status).toBe(422);
  });

  test('a dry run returns the manifest and notes and installs nothing', async () => {
    const before = await running.store.tiller.list({ namespace });
    const res = await install('alice', { application: 'hello', version: '1.0.0' }, '?dryRun=true');
    expect(res.status).toBe(200);
    expect(res.json.manifest).toContain('kind: Deployment');
    expect(res.json.notes).toContain(String(res.json.id));
    expect(res.json.application).toBe('sample/hello');
    expect(await running.store.tiller.list({ namespace })).toEqual(before);
    expect((await call('GET', `/releases/${String(res.json.id)}`, { user: 'alice' })).status).toBe(404);
  });
});

test('two concurrent PATCHes of one release: one succeeds, the other gets 409', async () => {
  const created = await install('alice', { application: 'sample/hello', version: '1.0.0' });
  const id = String(created.json.id);
  const results = await Promise.all([
    call('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '1.1.0' } }),
    call('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '1.1.0', values: { message: 'second' } } }),
  ]);
  expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  expect((await call('DELETE', `/releases/${id}`, { user: 'alice' })).status).toBe(204);
});
