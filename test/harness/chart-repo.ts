/**
 * A Helm (v2) chart repository for the tests, built in-process; serve it with
 * serveChartRepo() from serve-chart-repo.ts.
 *
 * buildChartRepo() packages the chart folders of test/charts/ (or any folder
 * of chart folders) into `<name>-<version>.tgz` archives and an index.yaml in
 * Helm's repository format, without the helm binary: tar-stream + node:zlib.
 * Archives are deterministic (sorted entries, fixed mtime, owner 0:0, modes
 * 0644/0755), honour each chart's .helmignore (with the store's own Helm 2
 * rules, so that a packaged sample chart has the files the store would load
 * from the folder), and have their requirements.yaml dependencies vendored as
 * nested archives under `<name>/charts/`, plus a requirements.lock, as
 * `helm dependency build` would leave them.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { buffer as streamBuffer } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import yaml from 'js-yaml';
import semver from 'semver';
import { pack as tarPack } from 'tar-stream';
import { Chart } from '../../gen/hapi/chart/chart.js';
import { HELMIGNORE, HelmIgnore, type Requirement } from '../../src/charts/index.js';
import { readRequirements as parseRequirements, REQUIREMENTS_FILE } from '../../src/charts/requirements-file.js';
import { repoRoot } from './paths.js';

/** The sample charts of the project (hello 1.0.0 and 1.1.0, stack, oidc-app, notebook, wiki; apiVersion v2: dashboard, widgets). */
export const SAMPLE_CHARTS_DIR = join(repoRoot, 'test', 'charts');

/**
 * Default timestamp of everything built: tar mtimes, index `created` and
 * `generated`, requirements.lock `generated`. Fixed, so that two builds of the
 * same sources are byte-identical (archives and index.yaml).
 */
export const DEFAULT_BUILD_TIME = new Date('2024-01-01T00:00:00Z');

export interface BuildChartRepoOptions {
  /** Absolute base URL for the index's `urls` (e.g. the serveChartRepo url); relative URLs without it. */
  baseUrl?: string;
  /** Time stamp of the build (tar mtimes, created, generated); DEFAULT_BUILD_TIME by default. */
  time?: Date;
}

export interface PackOptions extends Pick<BuildChartRepoOptions, 'time'> {
  /**
   * Other chart folders that file:// dependencies may not reach: candidates for
   * requirements.yaml entries with a non-file repository, chosen by name and
   * version range (highest match).
   */
  candidates?: ReadonlyArray<ChartSource>;
}

/** A chart folder and its Chart.yaml. */
export interface ChartSource {
  dir: string;
  metadata: ChartMetadata;
}

/** The fields of Chart.yaml (Helm v2 `Metadata`); others are kept as they are. */
export interface ChartMetadata {
  apiVersion?: string;
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  keywords?: string[];
  home?: string;
  sources?: string[];
  maintainers?: Array<{ name: string; email?: string; url?: string }>;
  icon?: string;
  deprecated?: boolean;
  [key: string]: unknown;
}

/** One entry of index.yaml: the chart's metadata plus created, digest and urls. */
export interface IndexEntry extends ChartMetadata {
  apiVersion: string;
  created: string;
  digest: string;
  urls: string[];
}

export interface RepoIndex {
  apiVersion: 'v1';
  entries: Record<string, IndexEntry[]>;
  generated: string;
}

export interface BuiltChart {
  name: string;
  version: string;
  /** The archive's file name, `<name>-<version>.tgz`. */
  file: string;
  /** Absolute path of the archive. */
  path: string;
  /** sha256 hex of the archive, as in index.yaml. */
  digest: string;
  /** The URL written to index.yaml (relative unless baseUrl was given). */
  url: string;
  /** The source folder. */
  sourceDir: string;
  /** Dependencies vendored into `<name>/charts/`, as `<name>-<version>.tgz`. */
  vendored: string[];
}

export interface ChartRepo {
  dir: string;
  indexPath: string;
  index: RepoIndex;
  /** The charts built, in the order of index.yaml (by name, newest version first). */
  charts: BuiltChart[];
}

/** Packs every chart folder of srcDir (the folders holding a Chart.yaml) into outDir, with an index.yaml. */
export async function buildChartRepo(
  srcDir: string,
  outDir: string,
  options: BuildChartRepoOptions = {},
): Promise<ChartRepo> {
  const time = options.time ?? DEFAULT_BUILD_TIME;
  const sources = await findCharts(srcDir);
  const seen = new Map<string, string>();
  for (const source of sources) {
    const file = archiveName(source.metadata);
    const other = seen.get(file);
    if (other !== undefined) throw new Error(`chart ${file} would come from both ${other} and ${source.dir}`);
    seen.set(file, source.dir);
  }
  // The order of index.yaml (and of ChartRepo.charts): by name, newest version first.
  const ordered = [...sources].sort(
    ({ metadata: a }, { metadata: b }) => compareStrings(a.name, b.name) || semver.rcompare(a.version, b.version),
  );

  await mkdir(outDir, { recursive: true });
  const packer = new Packer(time, sources);
  const created = rfc3339(time);
  const charts: BuiltChart[] = [];
  const entries: Record<string, IndexEntry[]> = {};
  for (const { dir, metadata } of ordered) {
    const { name, version } = metadata;
    const { archive, vendored } = await packer.pack(dir);
    const file = archiveName(metadata);
    const path = join(outDir, file);
    await writeFile(path, archive);
    const digest = sha256Hex(archive);
    const url = options.baseUrl ? `${options.baseUrl.replace(/\/+$/, '')}/${file}` : file;
    charts.push({ name, version, file, path, digest, url, sourceDir: dir, vendored });
    (entries[name] ??= []).push({ ...metadata, apiVersion: metadata.apiVersion ?? 'v1', created, digest, urls: [url] });
  }
  const index: RepoIndex = { apiVersion: 'v1', entries, generated: created };
  const indexPath = join(outDir, 'index.yaml');
  await writeFile(indexPath, yaml.dump(index, { sortKeys: true, lineWidth: -1, noRefs: true }));
  return { dir: outDir, indexPath, index, charts };
}

/** Packs one chart folder into a .tgz (entries under `<name>/`), vendoring its dependencies. */
export async function packChart(chartDir: string, options: PackOptions = {}): Promise<Buffer> {
  const packer = new Packer(options.time ?? DEFAULT_BUILD_TIME, options.candidates ?? []);
  return (await packer.pack(chartDir)).archive;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The chart folders directly under srcDir, sorted by folder name. */
async function findCharts(srcDir: string): Promise<ChartSource[]> {
  const dirents = await readdir(srcDir, { withFileTypes: true });
  const sources: ChartSource[] = [];
  for (const dirent of dirents.sort((a, b) => compareStrings(a.name, b.name))) {
    if (!dirent.isDirectory()) continue;
    const dir = resolve(srcDir, dirent.name);
    if (!existsSync(join(dir, 'Chart.yaml'))) continue;
    sources.push({ dir, metadata: await readChartMetadata(dir) });
  }
  return sources;
}

/**
 * Chart.yaml as it is, checked only for what the packing relies on (a name
 * fit for a file name, a SemVer version). Not src/charts' parseChartMetadata:
 * index.yaml must carry the fields as written, not Tiller's Metadata with
 * every unset field filled in.
 */
async function readChartMetadata(chartDir: string): Promise<ChartMetadata> {
  const file = join(chartDir, 'Chart.yaml');
  const doc = yaml.load(await readFile(file, 'utf8')) as Record<string, unknown> | null | undefined;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${file}: not a YAML mapping`);
  const { name, version } = doc;
  if (typeof name !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(name)) {
    throw new Error(`${file}: bad or missing name`);
  }
  if (typeof version !== 'string' || semver.valid(version) === null) {
    throw new Error(`${file}: version must be a SemVer 2 string (quote it in YAML), got ${String(version)}`);
  }
  return doc as ChartMetadata;
}

/** `<name>-<version>.tgz`, as Helm names packaged charts. */
function archiveName(metadata: ChartMetadata): string {
  return `${metadata.name}-${metadata.version}.tgz`;
}

// ---------------------------------------------------------------------------
// Packing

interface TarEntry {
  /** Path inside the archive, `/`-separated; directories end with a slash. */
  name: string;
  type: 'file' | 'directory';
  data?: Buffer;
}

interface Packed {
  archive: Buffer;
  vendored: string[];
}

type LockedDependency = Pick<Requirement, 'name' | 'repository' | 'version'>;

/** Packs chart folders, each once (a dependency shared by several charts is packed once), refusing cycles. */
class Packer {
  private readonly done = new Map<string, Promise<Packed>>();
  private readonly active = new Set<string>();

  constructor(
    private readonly time: Date,
    private readonly candidates: ReadonlyArray<ChartSource>,
  ) {}

  async pack(chartDir: string): Promise<Packed> {
    const dir = await realpath(chartDir);
    if (this.active.has(dir)) throw new Error(`dependency cycle through ${dir}`);
    let packed = this.done.get(dir);
    if (!packed) {
      this.active.add(dir);
      packed = this.packOnce(dir).finally(() => this.active.delete(dir));
      this.done.set(dir, packed);
    }
    return packed;
  }

  private async packOnce(dir: string): Promise<Packed> {
    const root = (await readChartMetadata(dir)).name;
    const files = await walk(dir, await loadHelmIgnore(dir));
    const entries: TarEntry[] = [];
    const present = new Set<string>();
    /** Adds an entry unless the chart already has one of that name (a bundled chart, an own lock file). */
    const add = (rel: string, type: TarEntry['type'], data?: Buffer): boolean => {
      const name = `${rel ? `${root}/${rel}` : root}${type === 'directory' ? '/' : ''}`;
      if (present.has(name)) return false;
      present.add(name);
      entries.push({ name, type, ...(data ? { data } : {}) });
      return true;
    };
    add('', 'directory');
    for (const file of files) {
      if (file.isDir) add(file.rel, 'directory');
      else add(file.rel, 'file', await readFile(join(dir, file.rel)));
    }

    const vendored: string[] = [];
    const requirements = await readRequirements(dir, root);
    if (requirements.length > 0) {
      const bundled = await bundledCharts(dir, files);
      const locked: LockedDependency[] = [];
      for (const requirement of requirements) {
        let version = bundled.find((c) => c.name === requirement.name)?.version;
        if (version === undefined) {
          const dependency = await this.resolve(dir, requirement);
          const file = archiveName(dependency.metadata);
          add('charts', 'directory');
          if (add(`charts/${file}`, 'file', (await this.pack(dependency.dir)).archive)) vendored.push(file);
          version = dependency.metadata.version;
        }
        locked.push({ name: requirement.name, repository: requirement.repository, version });
      }
      add('requirements.lock', 'file', this.lockFile(requirements, locked));
    }

    entries.sort((a, b) => compareStrings(a.name, b.name));
    return { archive: gzipSync(await tarball(entries, this.time), { level: 9 }), vendored };
  }

  /** The chart folder a requirement refers to: a file:// path, or the highest matching candidate. */
  private async resolve(dir: string, requirement: Requirement): Promise<ChartSource> {
    const what = `${basename(dir)}: dependency ${requirement.name} ${requirement.version}`;
    if (requirement.repository.startsWith('file://')) {
      const target = resolve(dir, requirement.repository.slice('file://'.length));
      const metadata = await readChartMetadata(target);
      if (metadata.name !== requirement.name) throw new Error(`${what}: ${target} holds chart ${metadata.name}`);
      if (!semver.satisfies(metadata.version, requirement.version)) {
        throw new Error(`${what}: ${target} holds version ${metadata.version}`);
      }
      return { dir: target, metadata };
    }
    const named = this.candidates.filter((c) => c.metadata.name === requirement.name);
    const best = semver.maxSatisfying(named.map((c) => c.metadata.version), requirement.version);
    const found = named.find((c) => c.metadata.version === best);
    if (!found) throw new Error(`${what} (${requirement.repository}): no such chart among the sources`);
    return found;
  }

  /** requirements.lock; its digest covers the requirements as written (name, version, repository, alias). */
  private lockFile(requirements: readonly Requirement[], dependencies: LockedDependency[]): Buffer {
    const written = requirements.map(({ name, version, repository, alias }) =>
      alias ? { name, version, repository, alias } : { name, version, repository },
    );
    const digest = `sha256:${sha256Hex(JSON.stringify({ dependencies: written }))}`;
    const lock = { dependencies, digest, generated: rfc3339(this.time) };
    return Buffer.from(yaml.dump(lock, { lineWidth: -1, noRefs: true }));
  }
}

/** requirements.yaml, read by the store's own parser: a sample chart the store would refuse fails here. */
async function readRequirements(dir: string, chartName: string): Promise<readonly Requirement[]> {
  const file = join(dir, REQUIREMENTS_FILE);
  if (!existsSync(file)) return [];
  const files = [{ typeUrl: REQUIREMENTS_FILE, value: await readFile(file) }];
  return parseRequirements(Chart.fromPartial({ metadata: { name: chartName }, files })) ?? [];
}

/** The charts already under the folder's charts/ (as folders or archives), by Chart.yaml or file name. */
async function bundledCharts(dir: string, files: WalkedFile[]): Promise<Array<{ name: string; version: string }>> {
  const found: Array<{ name: string; version: string }> = [];
  for (const { rel, isDir } of files) {
    const name = /^charts\/([^/]+)$/.exec(rel)?.[1];
    if (name === undefined) continue;
    if (!isDir) {
      const m = /^(.+)-(\d+\.\d+\.\d+.*)\.tgz$/.exec(name);
      if (m?.[1] && m[2]) found.push({ name: m[1], version: m[2] });
    } else if (existsSync(join(dir, rel, 'Chart.yaml'))) found.push(await readChartMetadata(join(dir, rel)));
  }
  return found;
}

/** A tar of the entries, in their order, owned by 0:0, with modes 0755/0644 and the given mtime. */
async function tarball(entries: TarEntry[], time: Date): Promise<Buffer> {
  const pack = tarPack();
  const archive = streamBuffer(pack);
  const mtime = new Date(Math.floor(time.getTime() / 1000) * 1000);
  for (const { name, type, data } of entries) {
    const mode = type === 'directory' ? 0o755 : 0o644;
    const header = { name, type, mode, mtime, uid: 0, gid: 0, uname: '', gname: '' };
    if (data) pack.entry(header, data);
    else pack.entry(header);
  }
  pack.finalize();
  return archive;
}

/**
 * The chart's .helmignore, with Helm's defaults, as the store itself applies
 * it (src/charts/helmignore.ts: Helm 2's exact rules, including its odd `!`
 * negation), so that an archive holds what `helm package` would put in it.
 */
async function loadHelmIgnore(dir: string): Promise<HelmIgnore> {
  const file = join(dir, HELMIGNORE);
  return HelmIgnore.forChart(existsSync(file) ? [{ path: HELMIGNORE, data: await readFile(file) }] : []);
}

interface WalkedFile {
  rel: string;
  isDir: boolean;
}

/**
 * The files and folders of a chart folder that are not ignored, depth first,
 * sorted by name. Like Helm's walk (and HelmIgnore.filter), an ignored folder
 * is not entered; filter() itself would need every file's content, .git/ too.
 */
async function walk(root: string, rules: HelmIgnore, rel = ''): Promise<WalkedFile[]> {
  const out: WalkedFile[] = [];
  for (const name of (await readdir(join(root, rel))).sort()) {
    const childRel = rel ? `${rel}/${name}` : name;
    const info = await stat(join(root, childRel)); // follows symlinks, as Helm does
    const isDir = info.isDirectory();
    if ((!isDir && !info.isFile()) || rules.ignores(childRel, isDir)) continue;
    out.push({ rel: childRel, isDir });
    if (isDir) out.push(...(await walk(root, rules, childRel)));
  }
  return out;
}

function rfc3339(time: Date): string {
  return time.toISOString().replace(/\.000Z$/, 'Z');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
