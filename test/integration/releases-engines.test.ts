/**
 * What users see of values, versions and chart errors is the same whichever engine renders: a store on Tiller v2.17
 * and a store on the Helm 4 engine (engine/), each composed as in production on the test cluster. A user's null
 * removes a chart default (and values.schema.json checks the values as rendered), keys such as __proto__ are data,
 * `v1.0.0` and `1.0.0` find the same version and answers use the chart's spelling, and a chart that does not render
 * is one 422 on a dry run, an install and an upgrade.
 */
import { readTestEnv } from '../harness/test-env.js';
import { startEngine, type RunningEngine } from './engine-peer.js';
import { ensureNamespace, kubeClients } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-engines';

describe.each(['tiller', 'engine'] as const)('a store on %s', (engineName) => {
  let engine: RunningEngine | undefined;
  let running: RunningStore;
  let call: ReturnType<typeof api>;
  const made: string[] = [];

  beforeAll(async () => {
    await ensureNamespace(kube, namespace);
    if (engineName === 'engine') engine = await startEngine(env, 'releases-engines');
    running = await startStore(env, {
      namespace: `appstore-engines-${engineName}`,
      deployNamespaces: [namespace],
      extraEnv: engine ? { HELM_HOST: engine.address } : {},
    });
    call = api(running.url);
  }, 30 * 60_000);

  afterAll(async () => {
    for (const id of made) await call('DELETE', `/releases/${id}`, { user: 'alice' }).catch(() => undefined);
    await running?.stop();
    await engine?.stop();
  });

  const install = async (body: Record<string, unknown>, query = '') => {
    const res = await call('POST', `/releases${query}`, { user: 'alice', body: { namespace, ...body } });
    if (res.status === 200 && query === '') made.push(String(res.json.id));
    return res;
  };

  test('a null removes the chart\'s default: the schema checks the values as rendered, and the chart\'s fallback shows', async () => {
    const res = await install({ application: 'sample/hello', version: '1.0.0', values: { message: null, service: { port: null } } }, '?dryRun=true');
    expect([res.status, res.json.detail]).toEqual([200, undefined]);
    // Rendered without the defaults: the templates' own fallbacks fill in.
    expect(res.json.manifest).toContain('message: "Hello from appstore"');
    expect(res.json.manifest).toMatch(/port: 80\n/);
    const wrong = await install({ application: 'sample/hello', version: '1.0.0', values: { message: 7 } }, '?dryRun=true');
    expect([wrong.status, wrong.json.errors]).toEqual([422, [{ path: 'message', message: 'must be string' }]]);
  });

  test('__proto__, constructor and prototype are values like any other through install and upgrade; v1.0.0 finds 1.0.0', async () => {
    const created = await call('POST', '/releases', {
      user: 'alice',
      rawBody: `{"application": "sample/hello", "version": "v1.0.0", "namespace": "${namespace}", "values": {"__proto__": {"polluted": "yes"}, "constructor": "c"}}`,
    });
    expect([created.status, created.json.detail]).toEqual([200, undefined]);
    const id = String(created.json.id);
    made.push(id);
    expect(created.json.version).toBe('1.0.0');
    const patched = await call('PATCH', `/releases/${id}`, { user: 'alice', rawBody: '{"version": "v1.1.0", "values": {"prototype": "p", "__proto__": {"more": 1}}}' });
    expect([patched.status, patched.json.detail, patched.json.version]).toEqual([200, undefined, '1.1.0']);
    const read = await call('GET', `/releases/${id}`, { user: 'alice' });
    const values = (JSON.parse(read.text) as { values: Record<string, unknown> }).values;
    expect(Object.keys(values).sort()).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(Object.getOwnPropertyDescriptor(values, '__proto__')?.value).toEqual({ polluted: 'yes', more: 1 });
    expect([Object.getOwnPropertyDescriptor(values, 'constructor')?.value, values.prototype]).toEqual(['c', 'p']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The engine received them as values too.
    const raw = (await running.store.tiller.content(id)).config?.raw ?? '';
    expect(raw).toMatch(/^__proto__:\n {2}more: 1\n {2}polluted: ['"]?yes['"]?$/m);
    expect((await call('GET', '/packages/sample/hello/versions/v1.1.0')).json.version).toMatchObject({ version: '1.1.0' });
  });

  test('a chart that does not render is one 422 on a dry run, an install and an upgrade', async () => {
    const broken = { application: 'sample/stack', version: '0.1.0', values: { imported: 'not a table' } };
    const dryRun = await install(broken, '?dryRun=true');
    expect([dryRun.status, dryRun.json.code]).toEqual([422, 'Unprocessable']);
    expect(dryRun.json.detail).toMatch(/render error in/);
    const installed = await install(broken);
    expect([installed.status, installed.json.detail]).toEqual([422, dryRun.json.detail]);
    const ok = await install({ application: 'sample/stack', version: '0.1.0' });
    expect([ok.status, ok.json.detail]).toEqual([200, undefined]);
    const upgraded = await call('PATCH', `/releases/${String(ok.json.id)}`, { user: 'alice', body: { values: { imported: 'not a table' } } });
    expect([upgraded.status, upgraded.json.code]).toEqual([422, 'Unprocessable']);
    expect(upgraded.json.detail).toMatch(/render error in/);
  });
});
