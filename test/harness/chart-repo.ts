/**
 * A Helm (v2) chart repository for the tests, built and served in-process.
 *
 * buildChartRepo() packages the chart folders of test/charts/ (or any folder
 * of chart folders) into `<name>-<version>.tgz` archives and an index.yaml in
 * Helm's repository format, without the helm binary: tar-stream + node:zlib.
 * Archives are deterministic (sorted entries, fixed mtime, owner 0:0, modes
 * 0644/0755), honour each chart's .helmignore, and have their requirements.yaml
 * dependencies vendored as nested archives under `<name>/charts/`, plus a
 * requirements.lock, as `helm dependency build` would leave them.
 *
 * serveChartRepo() serves such a folder over HTTP on loopback: GET/HEAD only,
 * ETag/If-None-Match and Last-Modified/If-Modified-Since, no path traversal.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import yaml from 'js-yaml';
import semver from 'semver';
import { pack as tarPack } from 'tar-stream';
import { repoRoot } from './paths.js';

/** The sample charts of the project (hello 1.0.0 and 1.1.0, stack, oidc-app). */
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

export interface PackOptions {
  /** Time stamp of the tar entries (and of a generated requirements.lock); DEFAULT_BUILD_TIME by default. */
  time?: Date;
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
    const key = `${source.metadata.name}-${source.metadata.version}`;
    const other = seen.get(key);
    if (other !== undefined) throw new Error(`chart ${key} is in both ${other} and ${source.dir}`);
    seen.set(key, source.dir);
  }

  await mkdir(outDir, { recursive: true });
  const packer = new Packer(time, sources);
  const charts: BuiltChart[] = [];
  for (const source of sources) {
    const packed = await packer.pack(source.dir);
    const file = `${source.metadata.name}-${source.metadata.version}.tgz`;
    const path = join(outDir, file);
    await writeFile(path, packed.archive);
    charts.push({
      name: source.metadata.name,
      version: source.metadata.version,
      file,
      path,
      digest: sha256Hex(packed.archive),
      url: options.baseUrl ? `${options.baseUrl.replace(/\/+$/, '')}/${file}` : file,
      sourceDir: source.dir,
      vendored: packed.vendored,
    });
  }
  charts.sort(
    (a, b) => compareStrings(a.name, b.name) || semver.rcompare(a.version, b.version),
  );

  const entries: Record<string, IndexEntry[]> = {};
  for (const chart of charts) {
    const metadata = sources.find((s) => s.dir === chart.sourceDir)?.metadata;
    if (!metadata) throw new Error(`lost the metadata of ${chart.sourceDir}`);
    const entry: IndexEntry = {
      ...metadata,
      apiVersion: metadata.apiVersion ?? 'v1',
      created: rfc3339(time),
      digest: chart.digest,
      urls: [chart.url],
    };
    (entries[chart.name] ??= []).push(entry);
  }
  const index: RepoIndex = { apiVersion: 'v1', entries, generated: rfc3339(time) };
  const indexPath = join(outDir, 'index.yaml');
  await writeFile(indexPath, yaml.dump(index, { sortKeys: true, lineWidth: -1, noRefs: true }));
  return { dir: outDir, indexPath, index, charts };
}

/** Packs one chart folder into a .tgz (entries under `<name>/`), vendoring its dependencies. */
export async function packChart(chartDir: string, options: PackOptions = {}): Promise<Buffer> {
  const packer = new Packer(options.time ?? DEFAULT_BUILD_TIME, options.candidates ?? []);
  return (await packer.pack(chartDir)).archive;
}

/** The chart folders directly under srcDir, sorted by folder name. */
export async function findCharts(srcDir: string): Promise<ChartSource[]> {
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

export async function readChartMetadata(chartDir: string): Promise<ChartMetadata> {
  const file = join(chartDir, 'Chart.yaml');
  const doc = yaml.load(await readFile(file, 'utf8'));
  if (!isRecord(doc)) throw new Error(`${file}: not a YAML mapping`);
  const { name, version } = doc;
  if (typeof name !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(name)) {
    throw new Error(`${file}: bad or missing name`);
  }
  if (typeof version !== 'string' || semver.valid(version) === null) {
    throw new Error(`${file}: version must be a SemVer 2 string (quote it in YAML), got ${String(version)}`);
  }
  return doc as ChartMetadata;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

// ---------------------------------------------------------------------------
// Packing

interface TarEntry {
  /** Path inside the archive, `/`-separated; directories end with a slash once sorted. */
  name: string;
  type: 'file' | 'directory';
  data?: Buffer;
}

interface Packed {
  archive: Buffer;
  vendored: string[];
}

interface Requirement {
  name: string;
  version: string;
  repository: string;
  alias?: string;
}

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
    const metadata = await readChartMetadata(dir);
    const root = metadata.name;
    const rules = await loadIgnoreRules(dir);
    const files = await walk(dir, rules);
    const entries: TarEntry[] = [{ name: root, type: 'directory' }];
    for (const file of files) {
      entries.push({
        name: `${root}/${file.rel}`,
        type: file.isDir ? 'directory' : 'file',
        ...(file.isDir ? {} : { data: await readFile(join(dir, ...file.rel.split('/'))) }),
      });
    }

    const vendored: string[] = [];
    const requirements = await readRequirements(dir);
    if (requirements.length > 0) {
      const present = new Set(entries.map((e) => e.name));
      const bundled = await bundledCharts(dir, files);
      const resolved: Array<{ requirement: Requirement; version: string }> = [];
      for (const requirement of requirements) {
        const existing = bundled.find((c) => c.name === requirement.name);
        if (existing) {
          resolved.push({ requirement, version: existing.version });
          continue;
        }
        const dependency = await this.resolve(dir, requirement);
        const child = await this.pack(dependency.dir);
        const file = `${dependency.metadata.name}-${dependency.metadata.version}.tgz`;
        if (!present.has(`${root}/charts`)) {
          entries.push({ name: `${root}/charts`, type: 'directory' });
          present.add(`${root}/charts`);
        }
        if (!present.has(`${root}/charts/${file}`)) {
          entries.push({ name: `${root}/charts/${file}`, type: 'file', data: child.archive });
          present.add(`${root}/charts/${file}`);
          vendored.push(file);
        }
        resolved.push({ requirement, version: dependency.metadata.version });
      }
      if (!present.has(`${root}/requirements.lock`)) {
        entries.push({ name: `${root}/requirements.lock`, type: 'file', data: this.lockFile(requirements, resolved) });
      }
    }

    for (const entry of entries) if (entry.type === 'directory') entry.name += '/';
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
    const matching = this.candidates.filter(
      (c) => c.metadata.name === requirement.name && semver.satisfies(c.metadata.version, requirement.version),
    );
    const best = semver.maxSatisfying(
      matching.map((c) => c.metadata.version),
      requirement.version,
    );
    const found = matching.find((c) => c.metadata.version === best);
    if (!found) throw new Error(`${what} (${requirement.repository}): no such chart among the sources`);
    return found;
  }

  private lockFile(requirements: Requirement[], resolved: Array<{ requirement: Requirement; version: string }>): Buffer {
    const lock = {
      dependencies: resolved.map(({ requirement, version }) => ({
        name: requirement.name,
        repository: requirement.repository,
        version,
      })),
      digest: `sha256:${sha256Hex(JSON.stringify({ dependencies: requirements }))}`,
      generated: rfc3339(this.time),
    };
    return Buffer.from(yaml.dump(lock, { lineWidth: -1, noRefs: true }));
  }
}

async function readRequirements(dir: string): Promise<Requirement[]> {
  const file = join(dir, 'requirements.yaml');
  if (!existsSync(file)) return [];
  const doc = yaml.load(await readFile(file, 'utf8'));
  if (doc === undefined || doc === null) return [];
  if (!isRecord(doc)) throw new Error(`${file}: not a YAML mapping`);
  const dependencies = doc.dependencies ?? [];
  if (!Array.isArray(dependencies)) throw new Error(`${file}: dependencies must be a list`);
  return dependencies.map((d: unknown, i) => {
    if (!isRecord(d) || typeof d.name !== 'string') throw new Error(`${file}: dependency ${i} has no name`);
    const version = d.version === undefined ? '*' : String(d.version);
    const repository = typeof d.repository === 'string' ? d.repository : '';
    return { name: d.name, version, repository, ...(typeof d.alias === 'string' ? { alias: d.alias } : {}) };
  });
}

/** The charts already under the folder's charts/ (as archives or folders), by Chart.yaml or file name. */
async function bundledCharts(dir: string, files: WalkedFile[]): Promise<Array<{ name: string; version: string }>> {
  const found: Array<{ name: string; version: string }> = [];
  for (const file of files) {
    const parts = file.rel.split('/');
    if (parts.length !== 2 || parts[0] !== 'charts' || parts[1] === undefined) continue;
    if (file.isDir) {
      if (!existsSync(join(dir, 'charts', parts[1], 'Chart.yaml'))) continue;
      const metadata = await readChartMetadata(join(dir, 'charts', parts[1]));
      found.push({ name: metadata.name, version: metadata.version });
    } else {
      const m = /^(.+)-(\d+\.\d+\.\d+.*)\.tgz$/.exec(parts[1]);
      if (m?.[1] && m[2]) found.push({ name: m[1], version: m[2] });
    }
  }
  return found;
}

async function tarball(entries: TarEntry[], time: Date): Promise<Buffer> {
  const pack = tarPack();
  const chunks: Buffer[] = [];
  const finished = new Promise<void>((resolveDone, reject) => {
    pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    pack.on('end', () => resolveDone());
    pack.on('error', reject);
  });
  const mtime = new Date(Math.floor(time.getTime() / 1000) * 1000);
  for (const entry of entries) {
    const header = {
      name: entry.name,
      type: entry.type,
      mode: entry.type === 'directory' ? 0o755 : 0o644,
      mtime,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
    } as const;
    await new Promise<void>((done, reject) => {
      const callback = (err?: Error | null): void => (err ? reject(err) : done());
      if (entry.type === 'directory') pack.entry(header, callback);
      else pack.entry({ ...header, size: entry.data?.length ?? 0 }, entry.data ?? Buffer.alloc(0), callback);
    });
  }
  pack.finalize();
  await finished;
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------------------
// .helmignore

/** Decides whether a chart-relative path (`/`-separated) is left out of the package. */
export interface IgnoreRules {
  ignores(relPath: string, isDir: boolean): boolean;
}

interface IgnorePattern {
  negate: boolean;
  dirOnly: boolean;
  /** Matched against the whole relative path if the pattern has a slash, else against the base name. */
  anchored: boolean;
  regex: RegExp;
}

/**
 * Parses .helmignore text. Helm's rules: one shell glob per line (`*`, `?`,
 * `[...]`; no `**`), `#` comments, a trailing `/` matches directories only, a
 * pattern with a slash matches the path from the chart root, one without a
 * slash matches the base name at any depth, `!` re-includes (the last
 * matching pattern wins). Like Helm, files starting with a dot in templates/
 * are always ignored.
 */
export function parseHelmignore(text: string): IgnoreRules {
  const patterns: IgnorePattern[] = [];
  for (const raw of ['templates/.?*', ...text.split(/\r?\n/)]) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1);
    const dirOnly = line.endsWith('/');
    line = line.replace(/\/+$/, '');
    const anchored = line.includes('/');
    line = line.replace(/^\/+/, '');
    if (line === '' || line.includes('**')) continue;
    patterns.push({ negate, dirOnly, anchored, regex: globToRegExp(line) });
  }
  return {
    ignores(relPath: string, isDir: boolean): boolean {
      if (relPath === '' || relPath === '.') return false;
      const base = relPath.slice(relPath.lastIndexOf('/') + 1);
      let ignored = false;
      for (const p of patterns) {
        if (p.dirOnly && !isDir) continue;
        if (p.regex.test(p.anchored ? relPath : base)) ignored = !p.negate;
      }
      return ignored;
    },
  };
}

/** A Go filepath.Match pattern as a RegExp: `*` and `?` do not match `/`. */
function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\' && i + 1 < glob.length) out += escapeRegExp(glob.charAt(++i));
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      const negated = body.startsWith('^') || body.startsWith('!');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else out += escapeRegExp(c);
  }
  return new RegExp(`^${out}$`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

async function loadIgnoreRules(dir: string): Promise<IgnoreRules> {
  const file = join(dir, '.helmignore');
  return parseHelmignore(existsSync(file) ? await readFile(file, 'utf8') : '');
}

interface WalkedFile {
  rel: string;
  isDir: boolean;
}

/** The files and folders of a chart folder that are not ignored, depth first, sorted by name. */
async function walk(root: string, rules: IgnoreRules, rel = ''): Promise<WalkedFile[]> {
  const out: WalkedFile[] = [];
  const dirents = await readdir(rel ? join(root, ...rel.split('/')) : root, { withFileTypes: true });
  for (const dirent of dirents.sort((a, b) => compareStrings(a.name, b.name))) {
    const childRel = rel ? `${rel}/${dirent.name}` : dirent.name;
    const info = await stat(join(root, ...childRel.split('/'))); // follows symlinks, as Helm does
    const isDir = info.isDirectory();
    if (!isDir && !info.isFile()) continue;
    if (rules.ignores(childRel, isDir)) continue;
    out.push({ rel: childRel, isDir });
    if (isDir) out.push(...(await walk(root, rules, childRel)));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Serving

export interface ServeChartRepoOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Loopback by default. */
  host?: string;
}

export interface ServedRequest {
  method: string;
  /** The raw request target, e.g. `/index.yaml`. */
  url: string;
  status: number;
}

export interface ServedChartRepo {
  /** `http://host:port`, without a trailing slash. */
  url: string;
  port: number;
  server: Server;
  /** Every request answered so far, oldest first (e.g. to check a client's caching). */
  requests: ServedRequest[];
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.yaml': 'application/x-yaml',
  '.yml': 'application/x-yaml',
  '.tgz': 'application/gzip',
  '.gz': 'application/gzip',
  '.json': 'application/json',
  '.prov': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/** Serves the files of dir (a built chart repository) over HTTP. */
export async function serveChartRepo(dir: string, options: ServeChartRepoOptions = {}): Promise<ServedChartRepo> {
  const root = await realpath(dir);
  const requests: ServedRequest[] = [];
  const server = createServer((req, res) => {
    handle(root, req, res)
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('internal error\n');
      })
      .finally(() => requests.push({ method: req.method ?? '', url: req.url ?? '', status: res.statusCode }));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    server,
    requests,
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        server.close((err) => (err ? reject(err) : resolveClose()));
        server.closeAllConnections();
      }),
  };
}

async function handle(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const text = (status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(req.method === 'HEAD' ? undefined : `${body}\n`);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    text(405, 'method not allowed', { allow: 'GET, HEAD' });
    return;
  }
  const target = req.url ?? '/';
  const rawPath = target.split(/[?#]/, 1)[0] ?? '';
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    text(400, 'bad request');
    return;
  }
  if (!path.startsWith('/') || path.includes('\0') || path.includes('\\')) {
    text(400, 'bad request');
    return;
  }
  const resolved = resolve(root, `.${path}`);
  if (!within(root, resolved)) {
    text(404, 'not found');
    return;
  }
  let file: string;
  try {
    file = await realpath(resolved);
  } catch {
    text(404, 'not found');
    return;
  }
  const info = within(root, file) ? await stat(file) : undefined;
  if (!info?.isFile()) {
    text(404, 'not found');
    return;
  }
  const body = await readFile(file);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  const lastModified = new Date(Math.floor(info.mtimeMs / 1000) * 1000);
  const headers = {
    etag,
    'last-modified': lastModified.toUTCString(),
    'cache-control': 'no-cache',
  };
  if (notModified(req, etag, lastModified)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, {
    ...headers,
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': String(body.length),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Whether path is root or inside it (both absolute and resolved). */
function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function notModified(req: IncomingMessage, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const tags = ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(etag);
  }
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && lastModified.getTime() <= since;
  }
  return false;
}

// ---------------------------------------------------------------------------

function rfc3339(time: Date): string {
  return time.toISOString().replace(/\.000Z$/, 'Z');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
