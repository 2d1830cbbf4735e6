/**
 * `appstore-engine migrate` on releases made by the test cluster's real Tiller v2.17: a dry run writes nothing, the
 * migration stores each release's whole history as Helm's Secret driver does, and the real Helm 4 CLI and the engine
 * (over Tiller's protocol, with the store's own client) then see and operate the releases. Tiller's data stays until
 * `-delete-tiller-releases`; a re-run writes nothing; a Helm release of the same name elsewhere is a conflict.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { loadChartArchive } from '../../src/charts/index.js';
import { AppStoreError } from '../../src/domain/errors.js';
import { ReleaseStatusCode, TillerClient } from '../../src/tiller/index.js';
import type { Hook } from '../../gen/hapi/release/hook.js';
import { ensureLazyPeer } from '../harness/peers.js';
import { helm4Cli, type Helm4 } from './helm4-cli.js';
import { readTestEnv, testDir } from '../harness/test-env.js';
import { startEngine, type RunningEngine } from './engine-peer.js';
import { ensureNamespace, kubeClients } from './kube.js';

const run = promisify(execFile);
const env = readTestEnv();
const kube = kubeClients(env);
const tiller = new TillerClient(env.cluster.helmHost);
const namespace = 'migrate-it';
const elsewhere = 'migrate-it-other';
const dir = join(testDir(), 'engine-migrate');
mkdirSync(dir, { recursive: true });
let enginePath = '';
let helm4: Helm4;
let engine: RunningEngine | undefined;

const suffix = randomBytes(3).toString('hex');
const upgraded = `mig-up-${suffix}`; // installed, then upgraded twice: revisions 1–3
const single = `mig-one-${suffix}`; // installed once
const clash = `mig-clash-${suffix}`; // Tiller's, and a Helm release of the same name in another namespace
const notebook = `mig-nb-${suffix}`; // a chart with hooks (post-upgrade, post-delete)
let tillerHooks: Hook[] = [];

const archive = (version: string, name = 'hello') => join(env.repoDir, `${name}-${version}.tgz`);
const chart = (version: string, name = 'hello') => loadChartArchive(readFileSync(archive(version, name)));

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function migrate(...args: string[]): Promise<Outcome> {
  const argv = ['migrate', `-kubeconfig=${env.cluster.kubeconfig}`, `-tiller-namespace=${env.cluster.tillerNamespace}`, ...args];
  try {
    const { stdout, stderr } = await run(enginePath, argv);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

interface PlanJson {
  readonly release: string;
  readonly namespace: string;
  readonly state: string;
  readonly revisions: number[];
  readonly create: number[];
  readonly existing?: number[];
  readonly tiller: { kind: string; name: string; revision: number }[];
  readonly tillerDeleted: boolean;
  readonly reason?: string;
  readonly status?: string;
}

async function migrateJson(...args: string[]): Promise<{ code: number; plans: Map<string, PlanJson> }> {
  const out = await migrate('-output=json', ...args);
  const parsed = JSON.parse(out.stdout) as { releases: PlanJson[] };
  return { code: out.code, plans: new Map(parsed.releases.map((p) => [p.release, p])) };
}


/** Helm's release Secrets of a name, in every namespace. */
async function helmSecrets(name: string): Promise<string[]> {
  const list = await kube.core.listSecretForAllNamespaces({ labelSelector: `owner=helm,name=${name}` });
  return list.items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`).sort();
}

async function tillerObjects(name: string): Promise<string[]> {
  const list = await kube.core.listNamespacedSecret({ namespace: env.cluster.tillerNamespace, labelSelector: `OWNER=TILLER,NAME=${name}` });
  return list.items.map((s) => s.metadata?.name ?? '').sort();
}

beforeAll(async () => {
  const progress = (line: string) => process.stderr.write(`[peers] ${line}\n`);
  [enginePath, helm4] = [await ensureLazyPeer('appstore-engine', progress), await helm4Cli(env, join(dir, 'helm4-home'))];
  await ensureNamespace(kube, namespace);
  await ensureNamespace(kube, elsewhere);
  // Releases made by the real Tiller v2.17, through the store's own client.
  await tiller.install({ chart: await chart('1.0.0'), name: upgraded, namespace, valuesYaml: yaml.dump({ message: 'revision 1' }) });
  await tiller.upgrade({ chart: await chart('1.1.0'), name: upgraded, valuesYaml: yaml.dump({ message: 'revision 2' }) });
  await tiller.upgrade({ chart: await chart('1.1.0'), name: upgraded, valuesYaml: yaml.dump({ message: 'revision 3', replicaCount: 2 }) });
  await tiller.install({ chart: await chart('1.0.0'), name: single, namespace, valuesYaml: yaml.dump({ message: 'only one' }) });
  await tiller.install({ chart: await chart('1.0.0'), name: clash, namespace });
  await tiller.install({ chart: await chart('0.1.0', 'notebook'), name: notebook, namespace, valuesYaml: yaml.dump({ ingress: { host: 'nb.example.org' } }) });
  tillerHooks = (await tiller.content(notebook)).hooks;
  await helm4('install', clash, archive('1.0.0'), '-n', elsewhere);
}, 30 * 60_000);

afterAll(async () => {
  tiller.close();
  await engine?.stop();
});

test('a dry run lists each release, its revisions and target namespace, and the conflict, and writes nothing', async () => {
  const { code, plans } = await migrateJson('-dry-run', upgraded, single, clash);
  expect(code).toBe(1); // a release in conflict
  expect(plans.get(upgraded)).toMatchObject({ namespace, state: 'migrate', revisions: [1, 2, 3], create: [1, 2, 3], status: 'deployed' });
  expect(plans.get(upgraded)?.tiller.map((o) => `${o.kind} ${o.name}`)).toEqual([`Secret ${upgraded}.v1`, `Secret ${upgraded}.v2`, `Secret ${upgraded}.v3`]);
  expect(plans.get(single)).toMatchObject({ namespace, state: 'migrate', revisions: [1], create: [1] });
  expect(plans.get(clash)).toMatchObject({ state: 'conflict', create: [] });
  expect(plans.get(clash)?.reason).toContain(`a Helm release "${clash}" exists in namespace ${elsewhere}`);

  const text = await migrate('-dry-run', upgraded, single);
  expect(text.code).toBe(0);
  expect(text.stdout).toContain(`would create sh.helm.release.v1.${upgraded}.v1, sh.helm.release.v1.${upgraded}.v2, sh.helm.release.v1.${upgraded}.v3`);
  expect(text.stdout).toContain('dry run: 2 release(s) to migrate (4 revision(s)), 0 already migrated, 0 in conflict, 0 failed; nothing was written');

  expect(await helmSecrets(upgraded)).toEqual([]);
  expect(await helmSecrets(single)).toEqual([]);
  expect(await tillerObjects(upgraded)).toEqual([`${upgraded}.v1`, `${upgraded}.v2`, `${upgraded}.v3`]);
});

test('the migration stores the whole history in the release namespace and keeps Tiller data', async () => {
  const { code, plans } = await migrateJson(upgraded, single, clash, notebook);
  expect(code).toBe(1);
  expect(plans.get(notebook)).toMatchObject({ state: 'migrate', create: [1] });
  expect(plans.get(upgraded)).toMatchObject({ state: 'migrate', create: [1, 2, 3], tillerDeleted: false });
  expect(plans.get(clash)).toMatchObject({ state: 'conflict' });
  expect(await helmSecrets(upgraded)).toEqual([1, 2, 3].map((v) => `${namespace}/sh.helm.release.v1.${upgraded}.v${v}`));
  expect(await helmSecrets(single)).toEqual([`${namespace}/sh.helm.release.v1.${single}.v1`]);
  expect(await helmSecrets(clash)).toEqual([`${elsewhere}/sh.helm.release.v1.${clash}.v1`]); // the CLI's own, untouched
  const secret = await kube.core.readNamespacedSecret({ name: `sh.helm.release.v1.${upgraded}.v3`, namespace });
  expect(secret.type).toBe('helm.sh/release.v1');
  expect(secret.metadata?.labels).toMatchObject({ name: upgraded, owner: 'helm', status: 'deployed', version: '3' });
  expect(await tillerObjects(upgraded)).toHaveLength(3);
  expect(await tillerObjects(clash)).toHaveLength(1);
});

test('the Helm 4 CLI lists the migrated releases with their history, status and values', async () => {
  const list = JSON.parse(await helm4('list', '-A', '-o', 'json')) as { name: string; namespace: string; revision: string; status: string; chart: string }[];
  expect(list.find((r) => r.name === upgraded)).toMatchObject({ namespace, revision: '3', status: 'deployed', chart: 'hello-1.1.0' });
  expect(list.find((r) => r.name === single)).toMatchObject({ namespace, revision: '1', status: 'deployed', chart: 'hello-1.0.0' });

  const history = JSON.parse(await helm4('history', upgraded, '-n', namespace, '-o', 'json')) as { revision: number; status: string; chart: string }[];
  expect(history.map((h) => [h.revision, h.status, h.chart])).toEqual([
    [1, 'superseded', 'hello-1.0.0'],
    [2, 'superseded', 'hello-1.1.0'],
    [3, 'deployed', 'hello-1.1.0'],
  ]);
  const status = JSON.parse(await helm4('status', upgraded, '-n', namespace, '-o', 'json')) as { version: number; info: { status: string; notes: string } };
  expect(status).toMatchObject({ version: 3, info: { status: 'deployed' } });
  expect(status.info.notes).toContain(upgraded);
  expect(JSON.parse(await helm4('get', 'values', upgraded, '-n', namespace, '-o', 'json'))).toEqual({ message: 'revision 3', replicaCount: 2 });
  expect(JSON.parse(await helm4('get', 'values', upgraded, '-n', namespace, '--revision', '1', '-o', 'json'))).toEqual({ message: 'revision 1' });
});

test('the engine serves the migrated releases over Tiller protocol', async () => {
  engine = await startEngine(env, 'engine-migrate');
  const status = await engine.client.status(upgraded);
  expect(status).toMatchObject({ name: upgraded, namespace });
  expect(status.info?.status?.code).toBe(ReleaseStatusCode.DEPLOYED);
  const history = await engine.client.history(upgraded);
  expect(history.map((r) => [r.version, r.info?.status?.code])).toEqual([
    [3, ReleaseStatusCode.DEPLOYED],
    [2, ReleaseStatusCode.SUPERSEDED],
    [1, ReleaseStatusCode.SUPERSEDED],
  ]);
  const content = await engine.client.content(upgraded);
  expect(content.version).toBe(3);
  expect(yaml.load(content.config?.raw ?? '')).toEqual({ message: 'revision 3', replicaCount: 2 });
});

test('hooks keep their events, delete policies and weights, and helm4 uninstall runs the migrated post-delete hook', async () => {
  const shape = (hooks: readonly Hook[]) =>
    hooks
      .map((h) => ({ name: h.name, kind: h.kind, path: h.path, manifest: h.manifest, weight: h.weight, events: [...h.events].sort(), deletePolicies: [...h.deletePolicies].sort() }))
      .sort((a, b) => a.name.localeCompare(b.name));
  expect(tillerHooks.map((h) => h.name).sort()).toEqual([`${notebook}-notebook-cleaner`, `${notebook}-notebook-migrate`]);
  expect(shape((await engine!.client.content(notebook)).hooks)).toEqual(shape(tillerHooks));
  expect(await helm4('get', 'hooks', notebook, '-n', namespace)).toContain('"helm.sh/hook": post-delete');

  await helm4('uninstall', notebook, '-n', namespace);
  const events = await kube.core.listNamespacedEvent({ namespace });
  const cleaner = `${notebook}-notebook-cleaner`;
  expect(events.items.some((e) => e.involvedObject.kind === 'Job' && e.involvedObject.name === cleaner && e.reason === 'Completed')).toBe(true);
  expect(await helmSecrets(notebook)).toEqual([]);
});

test('a re-run writes nothing new', async () => {
  const again = await migrateJson(upgraded, single);
  expect(again.code).toBe(0);
  expect(again.plans.get(upgraded)).toMatchObject({ state: 'migrated', create: [], existing: [1, 2, 3] });
  expect(await helmSecrets(upgraded)).toHaveLength(3);

});

test('helm4 upgrade and rollback operate a migrated release, and the engine sees the new revisions', async () => {
  await helm4('upgrade', upgraded, archive('1.1.0'), '-n', namespace, '--reuse-values', '--set', 'message=upgraded by helm4');
  const config = await kube.core.readNamespacedConfigMap({ name: `${upgraded}-hello`, namespace });
  expect(config.data?.message).toBe('upgraded by helm4');
  await helm4('rollback', upgraded, '1', '-n', namespace);
  expect((await kube.core.readNamespacedConfigMap({ name: `${upgraded}-hello`, namespace })).data?.message).toBe('revision 1');
  const history = JSON.parse(await helm4('history', upgraded, '-n', namespace, '-o', 'json')) as { revision: number; status: string }[];
  expect(history.map((h) => [h.revision, h.status])).toEqual([
    [1, 'superseded'],
    [2, 'superseded'],
    [3, 'superseded'],
    [4, 'superseded'],
    [5, 'deployed'],
  ]);
  const status = await engine!.client.status(upgraded);
  expect(status.info?.status?.code).toBe(ReleaseStatusCode.DEPLOYED);
  expect((await engine!.client.content(upgraded)).version).toBe(5);

  // the engine itself upgrades a migrated release too
  const up = await engine!.client.upgrade({ chart: await chart('1.1.0'), name: single, valuesYaml: yaml.dump({ message: 'upgraded by the engine' }) });
  expect(up.version).toBe(2);
  expect((await kube.core.readNamespacedConfigMap({ name: `${single}-hello`, namespace })).data?.message).toBe('upgraded by the engine');
});

test('a release changed after its migration is not rewritten by a later run', async () => {
  const later = await migrateJson(upgraded, single);
  expect(later.code).toBe(0);
  expect(later.plans.get(upgraded)).toMatchObject({ state: 'migrated', create: [] });
  expect(later.plans.get(single)).toMatchObject({ state: 'migrated', create: [] });
  expect(await helmSecrets(upgraded)).toHaveLength(5);
  expect((await helm4('get', 'values', single, '-n', namespace, '-o', 'json')).trim()).toBe(JSON.stringify({ message: 'upgraded by the engine' }));
});

test('-delete-tiller-releases removes Tiller data of the migrated releases only, and a dry run of it deletes nothing', async () => {
  const dry = await migrate('-dry-run', '-delete-tiller-releases', upgraded, single);
  expect(dry.stdout).toContain(`would delete Tiller's Secret ${upgraded}.v1, Secret ${upgraded}.v2, Secret ${upgraded}.v3`);
  expect(await tillerObjects(upgraded)).toHaveLength(3);

  const deleted = await migrateJson('-delete-tiller-releases', upgraded, single, clash);
  expect(deleted.code).toBe(1);
  expect(deleted.plans.get(upgraded)).toMatchObject({ state: 'migrated', tillerDeleted: true });
  expect(deleted.plans.get(clash)).toMatchObject({ state: 'conflict', tillerDeleted: false });
  expect(await tillerObjects(upgraded)).toEqual([]);
  expect(await tillerObjects(single)).toEqual([]);
  expect(await tillerObjects(clash)).toHaveLength(1);
  // Tiller no longer knows them; Helm's storage still holds them
  await expect(tiller.status(upgraded)).rejects.toBeInstanceOf(AppStoreError);
  expect(await helmSecrets(upgraded)).toHaveLength(5);
  const gone = await migrateJson(upgraded);
  expect(gone.code).toBe(1);
  expect(gone.plans.get(upgraded)?.reason).toContain(`Tiller holds no release "${upgraded}"`);
});

