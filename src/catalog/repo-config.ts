/**
 * Chart repositories as the catalog needs them: a name, a URL, whether it is
 * a development (testing) repository, and optional credentials.
 *
 * Credentials never come from the environment itself (environments leak into
 * process listings, crash dumps and `kubectl describe`); an environment
 * variable names a file or a mounted Kubernetes Secret that holds them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_SCHEMA, load } from 'js-yaml';
import { AppStoreError } from '../domain/errors.js';
import { errorText } from '../domain/error-text.js';
import type { Env } from '../env-readers.js';

export type RepoAuth =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'bearer'; readonly token: string };

/**
 * Where an OCI registry keeps a repository's charts: `oci://host/path` names
 * the registry's origin and a path prefix; each chart is the registry
 * repository `<path>/<chart>`, and each SemVer tag of it a version.
 */
export interface OciLocation {
  /** `https://host[:port]`, or `http://…` when plain HTTP was asked for. */
  readonly origin: string;
  /** The prefix of the charts' repository names, without slashes around it; '' for the registry's root. */
  readonly path: string;
  /** The charts offered, when configured; otherwise the registry's catalog (`/v2/_catalog`) is read. */
  readonly charts?: readonly string[];
}

export interface RepoConfig {
  /** A lowercase DNS label; package ids are `<name>/<chart>`. */
  readonly name: string;
  /** http(s) or oci(+http), without a trailing slash and without userinfo. */
  readonly url: string;
  /** Set for an OCI registry (an `oci://` url); an index.yaml repository otherwise. */
  readonly oci?: OciLocation;
  /** Every version from it is marked development: only development releases may install it. */
  readonly development?: boolean;
  readonly auth?: RepoAuth;
  /**
   * Cluster-scoped objects (ClusterRoles, CRDs, ...) its charts may create: every chart (true) or the charts named.
   * Off by default: a release's objects stay in its namespace.
   */
  readonly allowClusterScoped?: boolean | readonly string[];
}

/** Names of the environment variables read by {@link loadRepoConfigs}. */
export const DEV_REPOS_ENV = 'APPSTORE_DEV_REPOS';
export const REPOS_FILE_ENV = 'APPSTORE_REPOS_FILE';

/** `APPSTORE_REPO_<NAME>_CREDENTIALS_FILE`, NAME upper-cased with `-` as `_`. */
export function credentialsEnvName(repo: string): string {
  return `APPSTORE_REPO_${repo.toUpperCase().replaceAll('-', '_')}_CREDENTIALS_FILE`;
}


const REPO_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The repositories of `base` (APPSTORE_REPOS, as src/config.ts parses it) and
 * of the YAML file named by APPSTORE_REPOS_FILE:
 *
 * ```yaml
 * repositories:
 *   - name: stable
 *     url: https://charts.example.org
 *     development: false          # optional
 *     credentialsFile: /etc/appstore/stable   # optional, see readRepoCredentials
 *     allowClusterScoped: [cert-manager]      # optional: true, or the charts that may create cluster-scoped objects
 *   - name: bitnami
 *     url: oci://registry.example.org/bitnamicharts   # an OCI registry: charts are <path>/<chart>
 *     charts: [nginx, redis]      # optional: otherwise the registry's /v2/_catalog, filtered by the path
 *     plainHttp: true             # optional: HTTP instead of HTTPS (as helm --plain-http)
 * ```
 *
 * then marked development by APPSTORE_DEV_REPOS (`name,name`) and given the
 * credentials of APPSTORE_REPO_<NAME>_CREDENTIALS_FILE. Reads files
 * synchronously: it runs once, at start.
 *
 * @throws AppStoreError InvalidArgument naming the variable or file at fault
 */
export function loadRepoConfigs(base: ReadonlyArray<{ name: string; url: string }>, env: Env): RepoConfig[] {
  const repos = new Map<string, RepoConfig>();
  const add = (repo: RepoConfig, source: string): void => {
    if (repos.has(repo.name)) throw configError(`${source}: repository ${repo.name} is configured twice`);
    repos.set(repo.name, repo);
  };
  for (const { name, url } of base) add(checkedRepo(name, url, 'APPSTORE_REPOS'), 'APPSTORE_REPOS');
  const reposFile = env[REPOS_FILE_ENV]?.trim();
  if (reposFile) for (const repo of readReposFile(reposFile)) add(repo, reposFile);

  const dev = (env[DEV_REPOS_ENV] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of dev) {
    const repo = repos.get(name);
    if (!repo) throw configError(`${DEV_REPOS_ENV}: ${name} is not a configured repository`);
    repos.set(name, { ...repo, development: true });
  }
  for (const [name, repo] of repos) {
    const key = credentialsEnvName(name);
    const path = env[key]?.trim();
    if (path) repos.set(name, { ...repo, auth: readRepoCredentials(path, key) });
  }
  return [...repos.values()];
}

/**
 * Reads credentials from a path that is either
 * - a folder: a mounted Kubernetes Secret, with the keys `token`, or
 *   `username` and `password` (the keys of a kubernetes.io/basic-auth Secret);
 * - a file: a YAML (or JSON) mapping with the same keys.
 *
 * @param source named in error messages (never the secret itself)
 */
export function readRepoCredentials(path: string, source: string): RepoAuth {
  let fields: Record<string, unknown>;
  try {
    fields = statSync(path).isDirectory() ? readSecretDir(path) : readMapping(readFileSync(path, 'utf8'), path);
  } catch (err) {
    if (err instanceof AppStoreError) throw err;
    throw configError(`${source}: cannot read credentials from ${path}: ${errorText(err)}`);
  }
  const { token, username, password } = fields;
  if (typeof token === 'string' && token !== '') {
    if (username !== undefined || password !== undefined) {
      throw configError(`${source}: ${path} has both a token and a username/password; keep one`);
    }
    return { kind: 'bearer', token };
  }
  if (typeof username === 'string' && username !== '' && typeof password === 'string') {
    return { kind: 'basic', username, password };
  }
  throw configError(`${source}: ${path} must hold a token, or a username and a password`);
}

function readSecretDir(dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const present = new Set(readdirSync(dir));
  for (const key of ['token', 'username', 'password']) {
    // Kubernetes writes the Secret's keys as files; a trailing newline is an editor's, not the secret's.
    if (present.has(key)) out[key] = readFileSync(join(dir, key), 'utf8').replace(/\r?\n$/, '');
  }
  return out;
}

function readMapping(text: string, path: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = load(text, { schema: CORE_SCHEMA });
  } catch {
    // The parser's message quotes the offending line, which may be the secret.
    throw configError(`${path} is not valid YAML`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw configError(`${path} must be a mapping`);
  return doc as Record<string, unknown>;
}

function readReposFile(path: string): RepoConfig[] {
  let doc: unknown;
  try {
    doc = load(readFileSync(path, 'utf8'), { schema: CORE_SCHEMA });
  } catch (err) {
    throw configError(`${REPOS_FILE_ENV}: cannot read ${path}: ${errorText(err)}`);
  }
  const list = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).repositories : undefined;
  if (!Array.isArray(list)) throw configError(`${REPOS_FILE_ENV}: ${path} must have a list 'repositories'`);
  return list.map((item: unknown, i) => {
    const where = `${REPOS_FILE_ENV}: ${path} repositories[${i}]`;
    if (typeof item !== 'object' || item === null) throw configError(`${where} must be a mapping`);
    const { name, url, development, credentialsFile, allowClusterScoped, charts, plainHttp } = item as Record<string, unknown>;
    if (typeof name !== 'string' || typeof url !== 'string') throw configError(`${where} needs a name and a url`);
    if (development !== undefined && typeof development !== 'boolean') {
      throw configError(`${where}.development must be true or false`);
    }
    if (credentialsFile !== undefined && typeof credentialsFile !== 'string') {
      throw configError(`${where}.credentialsFile must be a path`);
    }
    const allowed = checkedAllowClusterScoped(allowClusterScoped, `${where}.allowClusterScoped`);
    if (plainHttp !== undefined && typeof plainHttp !== 'boolean') throw configError(`${where}.plainHttp must be true or false`);
    const repo = checkedRepo(name, url, where, { plainHttp: plainHttp === true, charts: checkedCharts(charts, `${where}.charts`) });
    return {
      ...repo,
      ...(allowed !== undefined && { allowClusterScoped: allowed }),
      ...(development ? { development: true } : {}),
      ...(credentialsFile ? { auth: readRepoCredentials(credentialsFile, `${where}.credentialsFile`) } : {}),
    };
  });
}

function checkedAllowClusterScoped(value: unknown, where: string): boolean | string[] | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string' && v !== '')) return value;
  throw configError(`${where} must be true, false or a list of chart names`);
}

/**
 * Whether the operator allowed cluster-scoped objects for a package
 * (`<repo>/<chart>`): for its whole repository, or for the chart by name.
 */
export function clusterScopedPolicy(repos: readonly RepoConfig[]): (application: string) => boolean {
  const byName = new Map(repos.map((r) => [r.name, r.allowClusterScoped]));
  return (application) => {
    const slash = application.indexOf('/');
    if (slash < 0) return false;
    const allowed = byName.get(application.slice(0, slash));
    return allowed === true || (Array.isArray(allowed) && allowed.includes(application.slice(slash + 1)));
  };
}

/** An OCI repository name (a chart, or a path prefix): lowercase components separated by slashes. */
const OCI_PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

function checkedCharts(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string' && OCI_PATH.test(v) && !v.includes('/'))) {
    return value;
  }
  throw configError(`${where} must be a list of chart names (lowercase, as OCI repository names are)`);
}

/** A repository name and URL as the catalog relies on them. */
function checkedRepo(
  name: string,
  url: string,
  source: string,
  oci: { plainHttp?: boolean; charts?: readonly string[] } = {},
): RepoConfig {
  if (!REPO_NAME.test(name)) throw configError(`${source}: repository name "${name}" must be a lowercase DNS label`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw configError(`${source}: repository ${name}: "${url}" is not a URL`);
  }
  if (!['http:', 'https:', 'oci:', 'oci+http:'].includes(parsed.protocol)) {
    throw configError(`${source}: repository ${name} must use http, https, oci or oci+http, got ${parsed.protocol}`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // fetch refuses such URLs, and they would end up in logs: credentials go in a file.
    throw configError(`${source}: repository ${name}: put credentials in ${credentialsEnvName(name)}, not in the URL`);
  }
  const trimmed = url.replace(/\/+$/, '');
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
    if (oci.plainHttp || oci.charts) {
      throw configError(`${source}: repository ${name}: plainHttp and charts are for oci:// repositories only`);
    }
    return { name, url: trimmed };
  }
  return { name, url: trimmed, oci: ociLocation(name, parsed, source, oci) };
}

/** `oci://host[:port]/path` → the registry's origin and the charts' path prefix. */
function ociLocation(name: string, url: URL, source: string, options: { plainHttp?: boolean; charts?: readonly string[] }): OciLocation {
  if (url.host === '') throw configError(`${source}: repository ${name}: ${url.protocol}// needs a registry host`);
  if (url.search !== '' || url.hash !== '') {
    throw configError(`${source}: repository ${name}: an oci:// URL has no query or fragment`);
  }
  const path = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  if (path !== '' && !OCI_PATH.test(path)) {
    throw configError(`${source}: repository ${name}: "${path}" is not an OCI repository path (lowercase, a/b/c)`);
  }
  const plain = url.protocol === 'oci+http:' || options.plainHttp === true;
  return {
    origin: `${plain ? 'http' : 'https'}://${url.host}`,
    path,
    ...(options.charts !== undefined && { charts: [...options.charts] }),
  };
}

function configError(message: string): AppStoreError {
  return new AppStoreError('InvalidArgument', message);
}
