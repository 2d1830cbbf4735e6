/**
 * One OCI repository's charts, refreshed as cheaply as a registry allows: the
 * chart names (configured, or the registry's catalog), then each chart's tag
 * list, asked with the previous list's ETag. Only when a list changed are its
 * tags' manifest digests asked for (HEAD), and only a digest not seen before
 * costs its manifest and config: both are immutable per digest and kept.
 * A failed refresh (the registry down, refusing the credentials, rate
 * limiting) leaves the last good list served, marked stale, as for index.yaml
 * repositories; after a 429 the next attempt waits at least its Retry-After.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import pLimit from 'p-limit';
import { AppStoreError } from '../../domain/errors.js';
import type { Logger } from '../../observability/logger.js';
import type { CatalogCounters, RepoStatus } from '../catalog-status.js';
import { RefreshState } from '../refresh-state.js';
import type { FetchFn } from '../http-get.js';
import type { IndexEntry, SkippedEntry } from '../index-file.js';
import { buildPackages, type PackageRecord } from '../package-model.js';
import type { OciLocation, RepoConfig } from '../repo-config.js';
import type { RefreshOutcome, RepoSource } from '../repo-source.js';
import { OciClient } from './oci-client.js';
import { parseChartConfig, parseChartManifest } from './oci-manifest.js';
import { chartVersionOfTag } from './oci-tags.js';

export interface OciSyncOptions {
  readonly timeoutMs: number;
  /** Largest list, manifest or config accepted. */
  readonly maxBytes: number;
  readonly fetch: FetchFn | undefined;
  readonly now: () => number;
  /** Registry requests in flight at once for this repository. Default 4. */
  readonly concurrency?: number;
}

/**
 * A version as a manifest describes it, kept by the manifest's digest (with the repository and the tag's version:
 * one manifest may be pushed under several names, and its config must agree with each).
 */
type ManifestEntry = { readonly entry: IndexEntry } | { readonly skipped: string; readonly retry?: boolean };

interface ChartState {
  readonly etag: string | undefined;
  readonly entries: readonly IndexEntry[];
  readonly skipped: readonly SkippedEntry[];
}

const MAX_CONFIG_BYTES = 1024 * 1024;

export class OciRepoSync implements RepoSource {
  records: readonly PackageRecord[] = [];
  readonly client: OciClient;
  private readonly location: OciLocation;
  private readonly manifests = new LRUCache<string, ManifestEntry>({ max: 10_000 });
  private charts = new Map<string, ChartState>();
  private signature: string | undefined;
  private loaded = false;
  private notBefore = 0;
  private readonly refreshes: RefreshState;

  constructor(
    readonly repo: RepoConfig,
    private readonly options: OciSyncOptions,
    private readonly counters: CatalogCounters,
    private readonly logger: Logger,
  ) {
    if (!repo.oci) throw new AppStoreError('Internal', `repository ${repo.name} is not an OCI repository`);
    this.location = repo.oci;
    this.refreshes = new RefreshState(counters, options.now);
    this.client = new OciClient(repo.name, repo.oci, repo.auth, {
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes,
      fetch: options.fetch,
      now: options.now,
      onRateLimited: () => {
        counters.registryRateLimited += 1;
      },
    });
  }

  async refresh(signal: AbortSignal): Promise<RefreshOutcome> {
    if (this.options.now() < this.notBefore) return this.loaded ? 'unchanged' : 'failed';
    return this.refreshes.run(
      () => this.load(signal),
      (failure, err, servingSince) => {
        const retryAfter = failure.details.retryAfterMs;
        if (typeof retryAfter === 'number') this.notBefore = this.options.now() + retryAfter;
        this.logger.warn(
          { repo: this.repo.name, url: this.repo.url, err, servingSince },
          this.loaded ? 'OCI repository refresh failed; serving its last good list' : 'OCI repository could not be loaded',
        );
      },
    );
  }

  status(): RepoStatus {
    let skipped = 0;
    for (const state of this.charts.values()) skipped += state.skipped.length;
    return {
      name: this.repo.name,
      url: this.repo.url,
      kind: 'oci',
      development: this.repo.development === true,
      loaded: this.loaded,
      ...this.refreshes.status(),
      packages: this.records.length,
      skippedEntries: skipped,
    };
  }

  /** A version's archive: the chart layer, by the blob URL its record carries, verified by the archive store. */
  download(url: string, maxBytes: number): Promise<Buffer> {
    return this.client.blobAt(url, maxBytes);
  }

  private async load(signal: AbortSignal): Promise<'updated' | 'unchanged'> {
    const names = this.location.charts ?? (await this.client.catalogCharts(signal));
    const limit = pLimit(this.options.concurrency ?? 4);
    const next = new Map<string, ChartState>();
    await Promise.all(
      [...new Set(names)].map(async (chart) => {
        const state = await this.loadChart(chart, limit, signal);
        if (state) next.set(chart, state);
      }),
    );
    // Sorted: the versions arrive in the order the registry answered, which says nothing.
    const entries = [...next.values()]
      .flatMap((s) => s.entries)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
    const signature = createHash('sha256')
      .update(JSON.stringify(entries.map((e) => [e.name, e.version, e.digest, e.created])))
      .digest('hex');
    this.charts = next;
    if (this.loaded && signature === this.signature) return 'unchanged';
    this.records = buildPackages(this.repo, entries);
    this.signature = signature;
    this.loaded = true;
    const skipped = [...next.values()].flatMap((s) => s.skipped);
    if (skipped.length > 0) {
      this.counters.entriesSkipped += skipped.length;
      this.logger.warn({ repo: this.repo.name, count: skipped.length, entries: skipped.slice(0, 20) }, 'OCI chart versions skipped');
    }
    this.logger.info({ repo: this.repo.name, packages: this.records.length, versions: entries.length }, 'OCI repository loaded');
    return 'updated';
  }

  /** A chart's versions; undefined when the registry has no such repository (a configured name not pushed yet). */
  private async loadChart(chart: string, limit: ReturnType<typeof pLimit>, signal: AbortSignal): Promise<ChartState | undefined> {
    const previous = this.charts.get(chart);
    const listed = await limit(() => this.client.tags(chart, previous?.etag, signal));
    if (listed === 'not-modified' && previous) return previous;
    if (listed === undefined || listed === 'not-modified') return undefined;
    const entries: IndexEntry[] = [];
    const skipped: SkippedEntry[] = [];
    await Promise.all(
      listed.tags.map((tag) =>
        limit(async () => {
          const parsed = chartVersionOfTag(tag);
          if (parsed === undefined) return; // `latest` and the like: not versions, and not worth a warning.
          const digest = await this.client.manifestDigest(chart, tag, signal);
          const key = `${this.client.repository(chart)}:${parsed.version}@${digest}`;
          const cached = this.manifests.get(key);
          if (cached) this.counters.manifestCacheHits += 1;
          const found = cached ?? (await this.readManifest(chart, parsed.version, digest, signal));
          if (!cached && !('retry' in found)) this.manifests.set(key, found);
          if ('skipped' in found) skipped.push({ chart, version: parsed.version, reason: found.skipped });
          else entries.push(found.entry);
        }),
      ),
    );
    return { etag: listed.etag, entries, skipped };
  }

  private async readManifest(chart: string, version: string, digest: string, signal: AbortSignal): Promise<ManifestEntry> {
    const manifest = parseChartManifest(await this.client.manifest(chart, digest, signal));
    let result: ManifestEntry;
    if (typeof manifest === 'string') {
      result = { skipped: manifest };
    } else if (manifest.configSize > MAX_CONFIG_BYTES) {
      result = { skipped: `its config is larger than ${MAX_CONFIG_BYTES} bytes` };
    } else {
      let config: Buffer;
      try {
        config = await this.client.blob(chart, manifest.configDigest, MAX_CONFIG_BYTES, signal);
      } catch (err) {
        // A damaged config costs its version (asked again next time), not the repository's whole list.
        if (err instanceof AppStoreError && err.details.reason === 'digest-mismatch') return { skipped: err.message, retry: true };
        throw err;
      }
      const metadata = parseChartConfig(config, chart, version);
      const parsed = chartVersionOfTag(version.replaceAll('+', '_'));
      if (typeof metadata === 'string' || parsed === undefined) {
        result = { skipped: typeof metadata === 'string' ? metadata : `version ${version} is not SemVer` };
      } else {
        result = {
          entry: {
            name: chart,
            version,
            semver: parsed.semver,
            metadata,
            created: manifest.created,
            digest: manifest.layerDigest.slice('sha256:'.length),
            urls: [this.client.blobUrl(chart, manifest.layerDigest)],
          },
        };
      }
    }
    this.counters.manifestsFetched += 1;
    return result;
  }
}
