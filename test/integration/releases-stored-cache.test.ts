/**
 * Stored releases held in memory from a watch, on the real API server and
 * the engine the harness runs: status and history of a release answer
 * without listing Secrets (counted by the API server itself), a change the
 * store just made is read back at once, a revision a CLI writes behind the
 * store's back is seen, and after the API server was away the watch starts
 * again and catches up. On Tiller (the first describe) the store watches
 * Tiller's storage Secrets; on the Helm 4 engine (the second, with
 * APPSTORE_ENGINE=helm4) the engine watches Helm's release Secrets
 * (engine/internal/releasecache) and the store tells it the revision its
 * record holds (x-appstore-min-revision).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { TillerCache } from '../../src/kube/tiller-cache.js';
import { TillerClient } from '../../src/tiller/index.js';
import { TillerSecretStorage } from '../../src/kube/tiller-storage.js';
import { createLogger } from '../../src/observability/logger.js';
import { fault } from '../harness/fault-control.js';
import { readTestEnv } from '../harness/test-env.js';
import { apiserverSecretRequests } from './apiserver-requests.js';
import { helm4Cli, type Helm4 } from './helm4-cli.js';
import { ensureNamespace, eventually, kubeClients } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const run = promisify(execFile);
const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-stored-cache';
const config = new KubeConfig();
config.loadFromFile(env.cluster.kubeconfig);
let running: RunningStore;
let call: ReturnType<typeof api>;
let id = '';
/** The suite runs on Tiller; the release suites also run with the Helm 4 engine in Tiller's place (make test). */
const onTiller = env.cluster.engine === 'tiller' ? describe : describe.skip;
const onEngine = env.cluster.engine === 'helm4' ? describe : describe.skip;

interface Revision {
  revision: number;
  version: string;
  status: string;
  description: string;
}

const lists = () => apiserverSecretRequests(config, 'LIST');
const history = async () => (await call('GET', `/releases/${id}/history`, { user: 'alice' })).json as unknown as Revision[];
const status = async () => (await call('GET', `/releases/${id}/status`, { user: 'alice' })).json as unknown as { status: string };
const helm2 = (...args: string[]) =>
  run(env.cluster.peers.helm ?? 'helm', ['--host', env.cluster.helmHost, ...args], { env: { ...process.env, HELM_HOME: `${env.cluster.dir}/helm-home` } });

/** Lists of Secrets the API server served while `reads` ran (every client: Tiller and the control plane are idle). */
async function listsDuring(reads: () => Promise<unknown>): Promise<number> {
  const before = await lists();
  await reads();
  return (await lists()) - before;
}

/**
 * On either engine: an install reads back at once, then status and history list no Secrets; an upgrade and a
 * rollback through the store read back at once.
 */
function readsFromMemory(): void {
  test('a release just installed reads back at once, then status and history answer without listing Secrets', async () => {
    const installed = await call('POST', '/releases', {
      user: 'alice',
      body: { namespace, application: 'sample/hello', version: '1.0.0', adminGroups: [], development: false, values: { message: 'cached' } },
    });
    expect(installed.status).toBe(200);
    id = String(installed.json.id);
    // Read right after the install: the engine's last write may not have come through the watch yet, and is read all the same.
    expect((await status()).status).toBe('DEPLOYED');
    expect((await history()).map((r) => [r.revision, r.status])).toEqual([[1, 'DEPLOYED']]);
    // Once the watch has delivered the engine's writes, reads list nothing (before the cache, each read listed Secrets).
    await eventually('reads answered from memory', async () => ((await listsDuring(status)) === 0 ? true : undefined), 10_000);
    const listed = await listsDuring(async () => {
      for (let i = 0; i < 10; i++) {
        expect((await status()).status).toBe('DEPLOYED');
        expect((await history()).map((r) => r.revision)).toEqual([1]);
      }
    });
    expect(listed).toBe(0);
  });

  test('an upgrade and a rollback through the store are read back at once, the revision each made included', async () => {
    const upgraded = await call('PATCH', `/releases/${id}`, { user: 'alice', body: { version: '1.1.0' } });
    expect(upgraded.status).toBe(200);
    expect((await history()).map((r) => [r.revision, r.version, r.status])).toEqual([
      [2, '1.1.0', 'DEPLOYED'],
      [1, '1.0.0', 'SUPERSEDED'],
    ]);
    const rolledBack = await call('POST', `/releases/${id}/rollback`, { user: 'alice', body: { revision: 1 } });
    expect(rolledBack.status).toBe(200);
    const [newest] = await history();
    expect(newest).toMatchObject({ revision: 3, version: '1.0.0', status: 'DEPLOYED' });
    expect((await status()).status).toBe('DEPLOYED');
  });
}

/** After a CLI upgrade to 1.1.0 (revision 4): the history shows it through the watch, and then reads list nothing. */
async function expectCliRevisionSeen(): Promise<void> {
  const seen = await eventually('the CLI\'s revision in the history', async () => {
    const revisions = await history();
    return revisions[0]?.revision === 4 ? revisions : undefined;
  }, 10_000);
  expect(seen.map((r) => [r.revision, r.version, r.status])).toEqual([
    [4, '1.1.0', 'DEPLOYED'],
    [3, '1.0.0', 'SUPERSEDED'],
    [2, '1.1.0', 'SUPERSEDED'],
    [1, '1.0.0', 'SUPERSEDED'],
  ]);
  expect(await listsDuring(async () => expect((await history())[0]?.revision).toBe(4))).toBe(0);
}

onTiller('Tiller\'s stored releases from a watch', () => {
  beforeAll(async () => {
    await ensureNamespace(kube, namespace);
    running = await startStore(env, { namespace: 'appstore-stored-cache', deployNamespaces: [namespace] });
    call = api(running.url);
  });

  afterAll(async () => {
    await fault(env.controlUrl, 'apiserver/start').catch(() => undefined);
    if (id) await call('DELETE', `/releases/${id}`, { user: 'alice' }).catch(() => undefined);
    await running?.stop();
  });

  readsFromMemory();

  test('a revision the helm v2 CLI writes, outside the store, is seen through the watch', async () => {
    await helm2('upgrade', id, join(env.repoDir, 'hello-1.1.0.tgz'), '--reuse-values', '--set', 'message=from the CLI');
    await expectCliRevisionSeen();
  });

  test('after the API server was away, the watch starts again by itself and catches up; reads list until it has', async () => {
    const cache = new TillerCache({ config, namespace: env.cluster.tillerNamespace, log: createLogger('warn'), retryMs: 200, maxRetryMs: 2000 });
    const storage = new TillerSecretStorage(config.makeApiClient(CoreV1Api), env.cluster.tillerNamespace, cache);
    try {
      await cache.start();
      expect(cache.ready).toBe(true);
      expect((await storage.latest(id, 4))?.version).toBe(4);
      expect(storage.counts).toEqual({ cached: 1, listed: 0 });

      await fault(env.controlUrl, 'apiserver/stop');
      // Whether the watch notices the outage at once or only when its connection next fails, it must catch up below:
      // a watch that died without a word would miss the revision made after the restart.
      await new Promise((r) => setTimeout(r, 2_000));
      await fault(env.controlUrl, 'apiserver/start');
      await eventually('the API server back', async () => {
        await helm2('upgrade', id, join(env.repoDir, 'hello-1.0.0.tgz'), '--reuse-values');
        return true;
      });
      await eventually('the revision made after the restart in the cache', async () => (cache.ready && cache.index.revisions(id)[0] === 5 ? true : undefined), 60_000);
      const listed = storage.counts.listed;
      expect((await storage.latest(id, 5))?.version).toBe(5);
      expect((await storage.history(id, 5))?.map((r) => r.version)).toEqual([5, 4, 3, 2, 1]);
      expect(storage.counts.listed).toBe(listed);
      // The store's own watch came back too.
      await eventually('the store reading revision 5 from memory', async () => {
        const n = await listsDuring(history);
        return n === 0 && (await history())[0]?.revision === 5 ? true : undefined;
      }, 60_000);
    } finally {
      await cache.stop();
    }
  });
});

onEngine('the Helm 4 engine\'s stored releases from a watch', () => {
  let helm4: Helm4;
  let client: TillerClient;

  beforeAll(async () => {
    await ensureNamespace(kube, namespace);
    running = await startStore(env, { namespace: 'appstore-stored-cache', deployNamespaces: [namespace] });
    call = api(running.url);
    helm4 = await helm4Cli(env, join(env.cluster.dir, 'helm4-stored-cache'));
    client = new TillerClient(env.cluster.helmHost, { readTimeoutMs: 10_000 });
  });

  afterAll(async () => {
    await fault(env.controlUrl, 'apiserver/start').catch(() => undefined);
    if (id) await call('DELETE', `/releases/${id}`, { user: 'alice' }).catch(() => undefined);
    client?.close();
    await running?.stop();
  });

  readsFromMemory();

  test('a revision the helm4 CLI writes, outside the store, is seen through the watch', async () => {
    await helm4('upgrade', id, join(env.repoDir, 'hello-1.1.0.tgz'), '-n', namespace, '--reuse-values', '--set', 'message=from the CLI');
    await expectCliRevisionSeen();
  });

  test('a reader that knows of a newer revision than the cache holds (another replica\'s change) makes the engine ask the API server', async () => {
    // What the store sends: its record's revision. The cache holds 4, so it answers.
    expect(await listsDuring(async () => expect((await client.history(id, 256, { atLeast: 4 }))[0]?.version).toBe(4))).toBe(0);
    // A revision the cache lacks: the engine lists the Secrets and answers what the API server holds.
    let answered = 0;
    expect(await listsDuring(async () => (answered = (await client.content(id, 0, { atLeast: 5 })).version))).toBeGreaterThan(0);
    expect(answered).toBe(4);
  });

  test('after the API server was away, the engine\'s watch starts again by itself and catches up', async () => {
    await fault(env.controlUrl, 'apiserver/stop');
    await fault(env.controlUrl, 'apiserver/start');
    await eventually('the API server back', async () => {
      await helm4('upgrade', id, join(env.repoDir, 'hello-1.0.0.tgz'), '-n', namespace, '--reuse-values');
      return true;
    });
    await eventually('revision 5 read from memory', async () => {
      const n = await listsDuring(history);
      return n === 0 && (await history())[0]?.revision === 5 ? true : undefined;
    }, 120_000);
    expect((await history()).map((r) => r.revision)).toEqual([5, 4, 3, 2, 1]);
  });
});
