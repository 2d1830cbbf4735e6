/**
 * Builds the Go peers the store is tested against (etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, kubectl, kwok, Tiller v2.17 and the
 * Helm v2 CLI) from the Go modules under test/cluster/. No release binaries can be
 * downloaded on the machines this runs on, so everything comes from the Go
 * module proxy and is compiled here once.
 *
 * Binaries are cached under $APPSTORE_PEERS_CACHE (default
 * ~/.cache/appstore/peers) in a folder named after a hash of the module's
 * go.mod, go.sum, build flags and Go version (and, for the project's own
 * engine/, its Go sources): they are rebuilt only when one of those changes.
 *
 * The Helm 4 engine, the Helm 4 CLI and the OCI registry are built lazily,
 * by the tests that use them (ensureLazyPeer), so that `make run` and the
 * Tiller suite do not wait for them.
 */
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { repoRoot } from './paths.js';

export const TILLER_VERSION = 'v2.17.0';
export const KUBERNETES_VERSION = 'v1.34.4';
export const HELM4_VERSION = 'v4.3.2';

interface PeerModule {
  /** Folder under test/cluster/, and the prefix of its cache folder. */
  readonly dir: string;
  /** The module's folder relative to the repository, when not test/cluster/<dir>. */
  readonly path?: string;
  /** The module is the project's own code: its Go sources are part of the cache key. */
  readonly ownSources?: boolean;
  /** Package path → name of the binary it produces. */
  readonly packages: Readonly<Record<string, string>>;
  readonly ldflags: string;
}

const MODULES: readonly PeerModule[] = [
  {
    dir: 'controlplane',
    packages: {
      'go.etcd.io/etcd/server/v3': 'etcd',
      'k8s.io/kubernetes/cmd/kube-apiserver': 'kube-apiserver',
      'k8s.io/kubernetes/cmd/kube-controller-manager': 'kube-controller-manager',
      'k8s.io/kubernetes/cmd/kube-scheduler': 'kube-scheduler',
      // kustomize is built into kubectl: renders deploy/ and dry-runs it against the API server.
      'k8s.io/kubernetes/cmd/kubectl': 'kubectl',
    },
    ldflags: [
      '-s -w',
      `-X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION}`,
      `-X k8s.io/component-base/version.gitMajor=1`,
      `-X k8s.io/component-base/version.gitMinor=34`,
    ].join(' '),
  },
  { dir: 'kwok', packages: { 'sigs.k8s.io/kwok/cmd/kwok': 'kwok' }, ldflags: '-s -w' },
  {
    dir: 'tiller',
    packages: {
      'k8s.io/helm/cmd/tiller': 'tiller',
      'k8s.io/helm/cmd/helm': 'helm',
      // Prints the protocol Tiller is compiled with, to check proto/hapi against.
      'appstore.local/test/cluster/tiller/cmd/hapi-descriptors': 'hapi-descriptors',
    },
    // Stamped with the real version so Tiller's client-version check runs
    // (an unstamped build accepts any client).
    ldflags: `-s -w -X k8s.io/helm/pkg/version.Version=${TILLER_VERSION} -X k8s.io/helm/pkg/version.BuildMetadata=`,
  },
  // An outside client of the store's gRPC API (reflection, health, metadata).
  { dir: 'grpcurl', packages: { 'github.com/fullstorydev/grpcurl/cmd/grpcurl': 'grpcurl' }, ldflags: '-s -w' },
];

/** Built only when a test asks for them (ensureLazyPeer). */
const LAZY_MODULES: readonly PeerModule[] = [
  // The project's Helm 4 engine: Tiller's protocol on Helm 4's SDK.
  {
    dir: 'engine',
    path: 'engine',
    ownSources: true,
    packages: { 'appstore.local/engine/cmd/appstore-engine': 'appstore-engine' },
    ldflags: '-s -w',
  },
  // The Helm 4 CLI, an outside client of the engine's releases.
  {
    dir: 'helm4',
    packages: { 'helm.sh/helm/v4/cmd/helm': 'helm4' },
    ldflags: `-s -w -X helm.sh/helm/v4/internal/version.version=${HELM4_VERSION}`,
  },
  // CNCF distribution's registry: the OCI registry the catalog's oci:// repositories are tested against. Its version
  // is the one test/cluster/registry/go.mod pins, so the cache key (go.mod, go.sum) covers it.
  {
    dir: 'registry',
    packages: { 'github.com/distribution/distribution/v3/cmd/registry': 'registry' },
    ldflags: '-s -w',
  },
];

export type LazyPeerName = 'appstore-engine' | 'helm4' | 'registry';

export type PeerName =
  | 'etcd'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kubectl'
  | 'kwok'
  | 'tiller'
  | 'helm'
  | 'hapi-descriptors'
  | 'grpcurl';

export type PeerPaths = Record<PeerName, string>;

export type Progress = (line: string) => void;

function cacheRoot(): string {
  return process.env.APPSTORE_PEERS_CACHE ?? join(homedir(), '.cache', 'appstore', 'peers');
}

function goVersion(): string {
  return execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
}

function moduleDir(mod: PeerModule): string {
  return join(repoRoot, mod.path ?? join('test', 'cluster', mod.dir));
}

/** The module's .go files, sorted, relative to its folder. */
function goSources(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix))
    .sort()
    .flatMap((name) => {
      const rel = prefix === '' ? name : `${prefix}/${name}`;
      if (statSync(join(dir, rel)).isDirectory()) return goSources(dir, rel);
      return name.endsWith('.go') ? [rel] : [];
    });
}

function moduleKey(mod: PeerModule, go: string): string {
  const dir = moduleDir(mod);
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) hash.update(readFileSync(join(dir, file)));
  if (mod.ownSources) {
    for (const file of goSources(dir)) hash.update(`${file}\0`).update(readFileSync(join(dir, file)));
  }
  hash.update(JSON.stringify([mod.packages, mod.ldflags, go]));
  return `${mod.dir}-${hash.digest('hex').slice(0, 16)}`;
}

async function build(mod: PeerModule, outDir: string, progress: Progress): Promise<void> {
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const cwd = moduleDir(mod);
  const args = ['build', '-v', '-trimpath', '-o', `${tmp}/`, '-ldflags', mod.ldflags, ...Object.keys(mod.packages)];
  const started = Date.now();
  progress(`building ${mod.dir} peers (${Object.values(mod.packages).join(', ')}); the first build downloads modules and takes minutes`);
  const total = countPackages(cwd, Object.keys(mod.packages));
  const child = spawn('go', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CGO_ENABLED: '0' } });
  let compiled = 0;
  let lastReport = 0;
  const errors: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    // `go build -v` names each package as it is compiled; anything else is an error.
    if (/^[\w.-]+(\/[\w.~+-]+)*$/.test(line)) compiled += 1;
    else errors.push(line);
    if (Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      progress(`  ${mod.dir}: ${compiled}/${total} packages compiled, ${Math.round((Date.now() - started) / 1000)} s`);
    }
  });
  const code = await new Promise<number | null>((res, rej) => {
    child.on('error', rej);
    child.on('close', res);
  });
  if (code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`go build of ${mod.dir} failed (exit ${code}):\n${errors.slice(-40).join('\n')}`);
  }
  // `go build -o dir/` names a binary after its package's last element.
  for (const [pkg, name] of Object.entries(mod.packages)) {
    const built = join(tmp, pkg.split('/').filter((p) => !/^v\d+$/.test(p)).pop() ?? name);
    if (built !== join(tmp, name)) renameSync(built, join(tmp, name));
  }
  rmSync(outDir, { recursive: true, force: true });
  renameSync(tmp, outDir);
  pruneOtherBuilds(mod, outDir);
  progress(`  ${mod.dir}: built ${compiled} packages in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * Removes this module's superseded builds and the leftovers of interrupted
 * ones, so the cache holds one build per module.
 */
function pruneOtherBuilds(mod: PeerModule, keep: string): void {
  const root = cacheRoot();
  for (const entry of readdirSync(root)) {
    const path = join(root, entry);
    if (path !== keep && entry.startsWith(`${mod.dir}-`)) rmSync(path, { recursive: true, force: true });
  }
}

/** How many packages a build may compile at most (dependencies included), for progress lines. */
function countPackages(cwd: string, packages: readonly string[]): number | string {
  try {
    const out = execFileSync('go', ['list', '-deps', ...packages], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').filter(Boolean).length;
  } catch {
    return '?';
  }
}

/** Returns the path of every peer binary, building the ones not cached yet. */
export async function ensurePeers(progress: Progress = (l) => console.error(`[peers] ${l}`)): Promise<PeerPaths> {
  const go = goVersion();
  const paths: Partial<PeerPaths> = {};
  for (const mod of MODULES) {
    const outDir = join(cacheRoot(), moduleKey(mod, go));
    const names = Object.values(mod.packages);
    if (!names.every((n) => existsSync(join(outDir, n)))) await build(mod, outDir, progress);
    for (const name of names) paths[name as PeerName] = join(outDir, name);
  }
  return paths as PeerPaths;
}

/**
 * The path of a peer built only on demand (the Helm 4 engine, the Helm 4
 * CLI, the OCI registry), building it when it is not cached yet: minutes on a cold cache.
 */
export async function ensureLazyPeer(name: LazyPeerName, progress: Progress = (l) => console.error(`[peers] ${l}`)): Promise<string> {
  const mod = LAZY_MODULES.find((m) => Object.values(m.packages).includes(name));
  if (mod === undefined) throw new Error(`no module builds ${name}`);
  const outDir = join(cacheRoot(), moduleKey(mod, goVersion()));
  if (!Object.values(mod.packages).every((n) => existsSync(join(outDir, n)))) await build(mod, outDir, progress);
  return join(outDir, name);
}
