/**
 * The distribution API of one OCI registry, as far as reading charts needs
 * it: the catalog, tag lists (paged by `Link`, conditional by ETag), manifest
 * digests and manifests, and blobs verified against their digest.
 *
 * Every request answers the registry's 401 challenge once (RegistryAuth) and
 * waits out a 429 as its Retry-After asks, a few times and within a bound:
 * a registry that keeps refusing fails the refresh, which keeps serving the
 * last good list.
 */
import { createHash } from 'node:crypto';
import { AppStoreError } from '../../domain/errors.js';
import { httpGet, type FetchFn, type HttpGetResult } from '../http-get.js';
import type { OciLocation, RepoAuth } from '../repo-config.js';
import { RegistryAuth } from './oci-auth.js';
import { parseChallenge } from './oci-challenge.js';
import { nextPageUrl } from './oci-tags.js';

export interface OciClientOptions {
  readonly timeoutMs: number;
  /** Largest list or manifest accepted. */
  readonly maxBytes: number;
  readonly fetch: FetchFn | undefined;
  readonly now: () => number;
  /** Longest Retry-After waited for within one request; a longer one fails it. Default 30 s. */
  readonly maxRetryAfterMs?: number;
  /** Entries asked for per page of a list (`n`); the registry may send fewer. Default 1000. */
  readonly pageSize?: number;
  /** Called on each 429, for counters. */
  readonly onRateLimited?: () => void;
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DEFAULT_PAGE_SIZE = 1000;
const MAX_RATE_LIMITED = 3;
const DEFAULT_RETRY_AFTER_MS = 1000;

interface RequestOptions {
  readonly scope: string;
  readonly accept?: string;
  readonly etag?: string;
  readonly method?: 'GET' | 'HEAD';
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
}

export class OciClient {
  readonly auth: RegistryAuth;

  constructor(
    readonly repoName: string,
    readonly location: OciLocation,
    credentials: RepoAuth | undefined,
    private readonly options: OciClientOptions,
  ) {
    this.auth = new RegistryAuth(repoName, location.origin, credentials, options);
  }

  private pageSize(): number {
    return this.options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  /** The registry repository of a chart: `<path>/<chart>`. */
  repository(chart: string): string {
    return this.location.path === '' ? chart : `${this.location.path}/${chart}`;
  }

  blobUrl(chart: string, digest: string): string {
    return `${this.location.origin}/v2/${this.repository(chart)}/blobs/${digest}`;
  }

  /** Chart names under the path prefix, from `/v2/_catalog` (all pages). */
  async catalogCharts(signal?: AbortSignal): Promise<string[]> {
    const prefix = this.location.path === '' ? '' : `${this.location.path}/`;
    const charts: string[] = [];
    let url: string | undefined = `${this.location.origin}/v2/_catalog?n=${this.pageSize()}`;
    while (url !== undefined) {
      const res = await this.request(url, { scope: 'registry:catalog:*', accept: 'application/json', ...(signal && { signal }) });
      const names = listField(res.body, 'repositories', url);
      for (const name of names) {
        const rest = name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
        if (rest !== undefined && rest !== '' && !rest.includes('/')) charts.push(rest);
      }
      url = nextPageUrl(res.headers.get('link'), url);
    }
    return charts;
  }

  /**
   * A chart's tags (all pages), or 'not-modified' when the registry answered
   * 304 to the ETag of the previous list (asked only of an unpaged list: the
   * first page's tag says nothing about the others). undefined when the
   * registry has no such repository.
   */
  async tags(
    chart: string,
    etag: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ tags: string[]; etag: string | undefined } | 'not-modified' | undefined> {
    const scope = `repository:${this.repository(chart)}:pull`;
    const first = `${this.location.origin}/v2/${this.repository(chart)}/tags/list?n=${this.pageSize()}`;
    const tags: string[] = [];
    let firstEtag: string | undefined;
    let url: string | undefined = first;
    while (url !== undefined) {
      const conditional = url === first ? etag : undefined;
      const res = await this.request(url, {
        scope,
        accept: 'application/json',
        ...(conditional !== undefined && { etag: conditional }),
        ...(signal && { signal }),
      }, [404]);
      if (res.status === 404) return undefined;
      if (res.status === 304) return 'not-modified';
      tags.push(...listField(res.body, 'tags', url));
      const next = nextPageUrl(res.headers.get('link'), url);
      if (url === first && next === undefined) firstEtag = res.headers.get('etag') ?? undefined;
      url = next;
    }
    return { tags, etag: firstEtag };
  }

  /** The digest a tag points at, from a HEAD of its manifest (no body: the manifest is fetched by digest, once). */
  async manifestDigest(chart: string, tag: string, signal?: AbortSignal): Promise<string> {
    const url = `${this.location.origin}/v2/${this.repository(chart)}/manifests/${encodeURIComponent(tag)}`;
    const res = await this.request(url, {
      scope: `repository:${this.repository(chart)}:pull`,
      accept: OCI_MANIFEST,
      method: 'HEAD',
      ...(signal && { signal }),
    });
    const digest = res.headers.get('docker-content-digest');
    if (digest === null || !/^sha256:[a-f0-9]{64}$/.test(digest)) {
      throw new AppStoreError('Unavailable', `repository ${this.repoName}: HEAD ${url} gave no sha256 Docker-Content-Digest`, {
        url,
        reason: 'registry-protocol',
      });
    }
    return digest;
  }

  /** A manifest by its digest, verified against it. */
  manifest(chart: string, digest: string, signal?: AbortSignal): Promise<Buffer> {
    const url = `${this.location.origin}/v2/${this.repository(chart)}/manifests/${digest}`;
    return this.verified(url, chart, digest, OCI_MANIFEST, this.options.maxBytes, signal);
  }

  /** A blob by its digest, verified against it. */
  blob(chart: string, digest: string, maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
    return this.verified(this.blobUrl(chart, digest), chart, digest, '*/*', maxBytes, signal);
  }

  /** A blob by the URL blobUrl() made (how the catalog's archive store names versions). */
  blobAt(url: string, maxBytes: number): Promise<Buffer> {
    const match = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(new URL(url).pathname);
    const prefix = this.location.path === '' ? '' : `${this.location.path}/`;
    if (!match?.[1]?.startsWith(prefix) || new URL(url).origin !== this.location.origin) {
      throw new AppStoreError('Internal', `${url} is not a blob of repository ${this.repoName}`);
    }
    return this.blob(match[1].slice(prefix.length), match[2] ?? '', maxBytes);
  }

  private async verified(
    url: string,
    chart: string,
    digest: string,
    accept: string,
    maxBytes: number,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    const res = await this.request(url, {
      scope: `repository:${this.repository(chart)}:pull`,
      accept,
      maxBytes,
      ...(signal && { signal }),
    });
    const actual = `sha256:${createHash('sha256').update(res.body).digest('hex')}`;
    if (actual !== digest) {
      throw new AppStoreError(
        'Unavailable',
        `repository ${this.repoName}: ${url} does not match its digest ${digest} (got ${actual}); refused`,
        { reason: 'digest-mismatch', url, expected: digest, actual },
      );
    }
    return res.body;
  }

  /** One request, with the registry's 401 challenge answered once and its 429s waited out. */
  private async request(url: string, options: RequestOptions, passStatuses: readonly number[] = []): Promise<HttpGetResult> {
    let challenged = false;
    let rateLimited = 0;
    for (;;) {
      const headers: Record<string, string> = {
        ...(options.accept !== undefined && { accept: options.accept }),
        ...(options.etag !== undefined && { 'if-none-match': options.etag }),
        ...this.auth.headers(url, options.scope),
      };
      const res = await httpGet(url, {
        headers,
        method: options.method ?? 'GET',
        timeoutMs: this.options.timeoutMs,
        maxBytes: options.maxBytes ?? this.options.maxBytes,
        fetch: this.options.fetch,
        passStatuses: [401, 429, ...passStatuses],
        ...(options.signal && { signal: options.signal }),
      });
      if (res.status === 401) {
        const challenge = parseChallenge(res.headers.get('www-authenticate'));
        if (challenged || challenge === undefined) {
          throw new AppStoreError(
            'Unavailable',
            `repository ${this.repoName}: ${url} answered 401 Unauthorized` +
              (challenged ? ' to the credentials its challenge asked for' : ' without a challenge the store can answer'),
            { url, reason: 'registry-auth' },
          );
        }
        challenged = true;
        this.auth.forget(options.scope);
        await this.auth.answer(challenge, options.scope, options.signal);
        continue;
      }
      if (res.status === 429) {
        this.options.onRateLimited?.();
        rateLimited += 1;
        const waitMs = retryAfterMs(res.headers.get('retry-after'), this.options.now());
        const max = this.options.maxRetryAfterMs ?? 30_000;
        if (rateLimited >= MAX_RATE_LIMITED || waitMs > max) {
          throw new AppStoreError('Unavailable', `repository ${this.repoName}: ${url} answered 429 Too Many Requests`, {
            url,
            reason: 'rate-limited',
            retryAfterMs: waitMs,
          });
        }
        await sleep(waitMs, options.signal);
        continue;
      }
      return res;
    }
  }
}

/** Retry-After as seconds or an HTTP date; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number {
  if (header === null) return DEFAULT_RETRY_AFTER_MS;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, date - now);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AppStoreError('Unavailable', 'the request was cancelled', { reason: 'aborted' }));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AppStoreError('Unavailable', 'the request was cancelled', { reason: 'aborted' }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function listField(body: Buffer, field: string, url: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppStoreError('Unavailable', `${url} did not answer JSON`, { url, reason: 'registry-protocol' });
  }
  const list = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)[field] : undefined;
  // A repository without tags answers `"tags": null`.
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list) || !list.every((x): x is string => typeof x === 'string')) {
    throw new AppStoreError('Unavailable', `${url}: '${field}' is not a list of strings`, { url, reason: 'registry-protocol' });
  }
  return list;
}
