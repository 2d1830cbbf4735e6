import { createHash } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import type { CatalogCounters, RepoStatus } from './catalog-status.js';
import { httpGet, type FetchFn } from './http-get.js';
import { parseIndexChartsGently, type SkippedEntry } from './index-file.js';
import { RefreshState } from './refresh-state.js';
import { buildPackage, type PackageRecord } from './package-model.js';
import { authHeaders } from './repo-auth.js';
import type { RepoConfig } from './repo-config.js';
import type { RefreshOutcome, RepoSource } from './repo-source.js';

export interface RepoSyncOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly fetch: FetchFn | undefined;
  readonly now: () => number;
}


interface FetchedIndex {
  readonly text: string;
  readonly digest: string;
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
}

/** Skipped entries named in one log line; the rest are counted. */
const SKIPPED_LOGGED = 20;

/**
 * One repository's index: fetched conditionally, parsed, turned into
 * packages, and kept. The copy being served is replaced only by a newer
 * one that parsed; a failed refresh leaves it in place and is logged and
 * counted, so that a repository that is down, slow or serving garbage costs
 * freshness, not the catalog.
 */
export class RepoSync implements RepoSource {
  /** The packages of the last good index; empty until one loaded. */
  records: readonly PackageRecord[] = [];
  private loaded = false;
  private etag: string | undefined;
  private lastModified: string | undefined;
  private bodyDigest: string | undefined;
  private skippedEntries = 0;
  private readonly indexUrl: string;
  private readonly refreshes: RefreshState;

  constructor(
    readonly repo: RepoConfig,
    private readonly options: RepoSyncOptions,
    private readonly counters: CatalogCounters,
    private readonly logger: Logger,
  ) {
    this.indexUrl = `${repo.url.replace(/\/+$/, '')}/index.yaml`;
    this.refreshes = new RefreshState(counters, options.now);
  }

  /** Never rejects: a failure is recorded, logged and counted. */
  refresh(signal: AbortSignal): Promise<RefreshOutcome> {
    return this.refreshes.run(
      () => this.load(signal),
      (_failure, err, servingSince) =>
        this.logger.warn(
          { repo: this.repo.name, url: this.indexUrl, err, servingSince },
          this.loaded ? 'chart repository refresh failed; serving its last good index' : 'chart repository could not be loaded',
        ),
    );
  }

  status(): RepoStatus {
    return {
      name: this.repo.name,
      url: this.repo.url,
      kind: 'http',
      development: this.repo.development === true,
      loaded: this.loaded,
      ...this.refreshes.status(),
      packages: this.records.length,
      skippedEntries: this.skippedEntries,
    };
  }

  private async load(signal: AbortSignal): Promise<'updated' | 'unchanged'> {
    const fetched = await this.fetchIndex(signal);
    if (fetched === 'not-modified') return 'unchanged';
    // A server without validators still sends the same bytes: no need to rebuild for them.
    const unchanged = this.loaded && fetched.digest === this.bodyDigest;
    if (!unchanged) await this.replace(fetched.text);
    // Only once the index parsed: a validator for a bad index would turn the next refresh into a 304 that hides it.
    this.bodyDigest = fetched.digest;
    this.etag = fetched.etag;
    this.lastModified = fetched.lastModified;
    return unchanged ? 'unchanged' : 'updated';
  }

  /** The index as text; the response's bytes are dropped on return, before the (memory-hungry) parse. */
  private async fetchIndex(signal: AbortSignal): Promise<FetchedIndex | 'not-modified'> {
    const headers: Record<string, string> = { accept: 'application/x-yaml, text/yaml, */*' };
    if (this.loaded && this.etag) headers['if-none-match'] = this.etag;
    if (this.loaded && this.lastModified) headers['if-modified-since'] = this.lastModified;
    Object.assign(headers, authHeaders(this.repo, this.indexUrl));
    const res = await httpGet(this.indexUrl, {
      headers,
      timeoutMs: this.options.timeoutMs,
      maxBytes: this.options.maxBytes,
      signal,
      fetch: this.options.fetch,
    });
    if (res.status === 304) {
      if (!this.loaded) throw new Error('answered 304 Not Modified to an unconditional request');
      return 'not-modified';
    }
    return {
      text: res.body.toString('utf8'),
      digest: createHash('sha256').update(res.body).digest('hex'),
      etag: res.headers.get('etag') ?? undefined,
      lastModified: res.headers.get('last-modified') ?? undefined,
    };
  }

  /** Parses a new index (throwing leaves the old one in place) and makes it the one served. */
  private async replace(text: string): Promise<void> {
    const started = performance.now();
    // Each chart's package is made as soon as its versions are read: the entries' Chart.yaml fields are not kept.
    const { charts, skipped } = await parseIndexChartsGently(text, this.repo.url, (_chart, entries) => buildPackage(this.repo, entries));
    const records = [...charts.values()].filter((r) => r !== undefined);
    const versions = records.reduce((n, r) => n + r.versions.length, 0);
    this.records = records;
    this.loaded = true;
    this.skippedEntries = skipped.length;
    this.counters.entriesSkipped += skipped.length;
    if (skipped.length > 0) this.logSkipped(skipped);
    this.logger.info(
      {
        repo: this.repo.name,
        packages: records.length,
        versions,
        skipped: skipped.length,
        ms: Math.round(performance.now() - started),
      },
      'chart repository index loaded',
    );
  }

  private logSkipped(skipped: readonly SkippedEntry[]): void {
    this.logger.warn(
      { repo: this.repo.name, count: skipped.length, entries: skipped.slice(0, SKIPPED_LOGGED) },
      'malformed chart repository index entries skipped',
    );
  }
}
