/**
 * Revocation while the store runs: the store composed as in production, on
 * the test cluster, with its tokens and namespaces files in a folder the test
 * rewrites. A token removed from the file stops working within seconds (its
 * cached principal included), a token added starts working, a namespace
 * removed is refused on install, the reload SIGHUP triggers takes effect at
 * once, and a file that turns invalid keeps the last good content.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, kubeClients } from './kube.js';
import { api, startStore, type RunningStore } from './store.js';

const env = readTestEnv();
const kube = kubeClients(env);
const KEPT = 'files-kept';
const REMOVED = 'files-removed';
const dir = mkdtempSync(join(tmpdir(), 'identity-files-'));
const tokensFile = join(dir, 'tokens.csv');
const namespacesFile = join(dir, 'namespaces.yaml');
const TOKENS = {
  erin: 'erin-token-3b1f',
  frank: 'frank-token-9c2d',
  grace: 'grace-token-77aa',
} as const;
let running: RunningStore;
let call: ReturnType<typeof api>;

function writeTokens(...users: (keyof typeof TOKENS)[]): void {
  writeFileSync(tokensFile, users.map((u) => `${TOKENS[u]},${u},"fc:org:files.example.org"`).join('\n') + '\n');
}

function writeNamespaces(...namespaces: string[]): void {
  writeFileSync(namespacesFile, namespaces.map((ns) => `${ns}: ["fc:org:files.example.org"]`).join('\n') + '\n');
}

const status = async (user: keyof typeof TOKENS) => (await call('GET', '/releases', { token: TOKENS[user] })).status;

/** Polls until the status is reached; returns how long it took (ms), or fails after 10 s. */
async function within(expected: number, user: keyof typeof TOKENS): Promise<number> {
  const started = Date.now();
  for (;;) {
    const got = await status(user);
    if (got === expected) return Date.now() - started;
    if (Date.now() - started > 10_000) throw new Error(`${user} still gets ${got}, not ${expected}, after 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  await ensureNamespace(kube, KEPT);
  await ensureNamespace(kube, REMOVED);
  writeTokens('erin', 'frank');
  writeNamespaces(KEPT, REMOVED);
  running = await startStore(env, {
    namespace: 'appstore-files',
    deployNamespaces: [],
    // The polls below are failed sign-ins from one address; the limit on those (identity-sign-in-limits.test.ts) is off here.
    extraEnv: { APPSTORE_TOKENS_FILE: tokensFile, APPSTORE_NAMESPACES_FILE: namespacesFile, APPSTORE_AUTH_FAILURES_PER_MINUTE: '0' },
  });
  call = api(running.url);
});

afterAll(async () => {
  await running?.stop();
});

test('a token removed from the file stops working within seconds, and a token added starts working', async () => {
  // frank's principal is now in the store's cache (60 s by default): the removal must end it too.
  expect(await status('frank')).toBe(200);
  expect(await status('grace')).toBe(401);
  writeTokens('erin', 'grace');
  const revokedAfterMs = await within(401, 'frank');
  expect(revokedAfterMs).toBeLessThan(5_000);
  expect(await status('grace')).toBe(200);
  expect(await status('erin')).toBe(200);
});

test('a namespace removed from the namespaces file is refused on install', async () => {
  const listed = await call('GET', '/namespaces', { token: TOKENS.erin });
  expect(listed.json).toEqual([KEPT, REMOVED].sort());
  writeNamespaces(KEPT);
  expect(running.store.reloadFiles()).toMatchObject({ APPSTORE_NAMESPACES_FILE: 'changed' });
  const install = await call('POST', '/releases', { token: TOKENS.erin, body: { application: 'sample/hello', namespace: REMOVED } });
  expect(install.status).toBe(403);
  expect(install.json.detail).toBe(`you may not deploy into namespace ${REMOVED}`);
  expect((await call('GET', '/namespaces', { token: TOKENS.erin })).json).toEqual([KEPT]);
});

test('the reload SIGHUP triggers takes a change into use at once, without waiting for the next check', async () => {
  writeTokens('erin', 'grace');
  expect(await status('grace')).toBe(200);
  // Written and re-read in the same tick: no periodic check can have run in between.
  writeTokens('erin');
  expect(running.store.reloadFiles()).toEqual({ APPSTORE_TOKENS_FILE: 'changed', APPSTORE_NAMESPACES_FILE: 'unchanged' });
  expect(await status('grace')).toBe(401);
});

test('a file that turns invalid keeps the last good tokens, and the failure is counted in the metrics', async () => {
  writeFileSync(tokensFile, `${TOKENS.erin},erin\n${TOKENS.frank}\n`);
  expect(running.store.reloadFiles()).toMatchObject({ APPSTORE_TOKENS_FILE: 'failed' });
  expect(await status('erin')).toBe(200);
  expect(await status('frank')).toBe(401);
  const metrics = (await call('GET', '/metrics')).text;
  expect(metrics).toMatch(/^appstore_identity_file_reload_failures_total\{variable="APPSTORE_TOKENS_FILE"\} 1$/m);
  expect(metrics).toMatch(/^appstore_identity_file_failing\{variable="APPSTORE_TOKENS_FILE"\} 1$/m);
  writeTokens('erin', 'frank');
  expect(await within(200, 'frank')).toBeLessThan(5_000);
  expect((await call('GET', '/metrics')).text).toMatch(/^appstore_identity_file_failing\{variable="APPSTORE_TOKENS_FILE"\} 0$/m);
});
