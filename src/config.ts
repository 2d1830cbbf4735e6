/**
 * Environment variables → one typed, validated Config. Fails fast at start,
 * naming the offending variable, rather than at the first request.
 */
import { isIP } from 'node:net';
import { ConfigError } from './config-error.js';
import { integer, optional, type Env } from './env-readers.js';
import { DEFAULT_MAX_VALUES_BYTES } from './releases/values-checks.js';

export interface RepoConfig {
  readonly name: string;
  readonly url: string;
}

export interface Config {
  /** Tiller's gRPC address, as the Helm 2 CLI names it (HELM_HOST). */
  readonly helmHost: string;
  /** Path of a kubeconfig; undefined means ~/.kube/config or in-cluster. */
  readonly kubeconfig: string | undefined;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly repos: readonly RepoConfig[];
  readonly tokensFile: string | undefined;
  readonly namespacesFile: string | undefined;
  /** Tiller's namespace, where it keeps releases (TILLER_NAMESPACE, as Tiller and the Helm 2 CLI name it). */
  readonly tillerNamespace: string;
  /** The store's own namespace, where it keeps its release records. */
  readonly namespace: string;
  readonly logLevel: string;
  /** The cap on a release's values serialised as JSON, checked before Tiller is called. */
  readonly maxValuesBytes: number;
  /**
   * Reverse proxies in front of the REST API whose X-Forwarded-For is believed
   * (express's `trust proxy`): a number of hops, or addresses, CIDR ranges and
   * loopback/linklocal/uniquelocal. Unset: the client is the socket's peer.
   */
  readonly trustProxy: number | readonly string[] | undefined;
  /**
   * How long Tiller may take for what it waits on in one change: a chart's hooks (a post-delete cleaner Job, a
   * post-upgrade Job). A hook that has not completed by then fails the change, which answers instead of hanging.
   */
  readonly tillerTimeoutSeconds: number;
}

export { ConfigError } from './config-error.js';


export function loadConfig(env: Env = process.env): Config {
  return {
    helmHost: hostPort(env, 'HELM_HOST', '127.0.0.1:44134'),
    kubeconfig: optional(env, 'KUBECONFIG'),
    httpPort: port(env, 'APPSTORE_HTTP_PORT', 8080),
    grpcPort: port(env, 'APPSTORE_GRPC_PORT', 9090),
    repos: repos(env, 'APPSTORE_REPOS'),
    tokensFile: optional(env, 'APPSTORE_TOKENS_FILE'),
    namespacesFile: optional(env, 'APPSTORE_NAMESPACES_FILE'),
    tillerNamespace: dnsLabel(env, 'TILLER_NAMESPACE', 'kube-system'),
    namespace: dnsLabel(env, 'APPSTORE_NAMESPACE', 'appstore'),
    logLevel: oneOf(env, 'APPSTORE_LOG_LEVEL', ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'], 'info'),
    maxValuesBytes: integer(env, 'APPSTORE_MAX_VALUES_BYTES', DEFAULT_MAX_VALUES_BYTES, 1024, 1024 * 1024),
    trustProxy: trustProxy(env, 'APPSTORE_TRUST_PROXY'),
    tillerTimeoutSeconds: integer(env, 'APPSTORE_TILLER_TIMEOUT_SECONDS', 300, 1, 3600),
  };
}

/** A hop count, or a list express's proxy-addr compiles; `true` (trust anyone) is refused: clients could pick their address. */
function trustProxy(env: Env, key: string): number | string[] | undefined {
  const raw = optional(env, key);
  if (raw === undefined) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefix, ...rest] = entry.split('/');
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(entry);
    const bits = isIP(address) === 6 ? 128 : 32;
    const validPrefix = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= bits);
    if (!named && (isIP(address) === 0 || !validPrefix || rest.length > 0)) {
      throw new ConfigError(`${key}: "${entry}" is not a hop count, an address, a CIDR range or loopback/linklocal/uniquelocal`);
    }
  }
  if (entries.length === 0) throw new ConfigError(`${key} names no proxy`);
  return entries;
}


function port(env: Env, key: string, fallback: number): number {
  const raw = optional(env, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 65535) {
    throw new ConfigError(`${key} must be a port number (1-65535), got "${raw}"`);
  }
  return value;
}

function hostPort(env: Env, key: string, fallback: string): string {
  const raw = optional(env, key) ?? fallback;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(raw);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
    throw new ConfigError(`${key} must be host:port, got "${raw}"`);
  }
  return raw;
}

function dnsLabel(env: Env, key: string, fallback: string): string {
  const raw = optional(env, key) ?? fallback;
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(raw)) throw new ConfigError(`${key} must be a DNS-1123 label, got "${raw}"`);
  return raw;
}

function oneOf(env: Env, key: string, allowed: readonly string[], fallback: string): string {
  const raw = optional(env, key) ?? fallback;
  if (!allowed.includes(raw)) throw new ConfigError(`${key} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw;
}

/** `name=url,name=url`: names are DNS-label-like, urls http(s), or oci:// (oci+http:// for plain HTTP) registries. */
function repos(env: Env, key: string): RepoConfig[] {
  const raw = optional(env, key);
  if (raw === undefined) return [];
  const seen = new Set<string>();
  return raw.split(',').map((part) => {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    const url = part.slice(eq + 1).trim();
    if (eq < 0 || !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
      throw new ConfigError(`${key}: "${part}" is not name=url with a lowercase DNS-label name`);
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(`${key}: "${url}" (repo ${name}) is not a URL`);
    }
    if (!['http:', 'https:', 'oci:', 'oci+http:'].includes(parsed.protocol)) {
      throw new ConfigError(`${key}: repo ${name} must use http, https, oci or oci+http, got ${parsed.protocol}`);
    }
    if (seen.has(name)) throw new ConfigError(`${key}: repo name ${name} appears twice`);
    seen.add(name);
    return { name, url: url.replace(/\/+$/, '') };
  });
}
