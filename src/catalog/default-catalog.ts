import { AppStoreError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import { ArchiveStore } from './archive-store.js';
import { CatalogSnapshot } from './catalog-snapshot.js';
import { newCounters, type CatalogStatus } from './catalog-status.js';
import type { FetchFn } from './http-get.js';
import { findVersion, type PackageRecord, type VersionRecord } from './package-model.js';
import { normalizeQuery } from './query-params.js';
import { authHeaders } from './repo-auth.js';
import type { RepoConfig } from './repo-config.js';
import { OciRepoSync } from './oci/oci-sync.js';
import type { RepoSource } from './repo-source.js';
import { RepoSync } from './repo-sync.js';
import type {
  Catalog,
  CatalogJson,
  Package,
  PackagePage,
  PackagePageJson,
  PackageQuery,
  PackageVersionDetail,
} from './types.js';
import { readVersionDetail } from './version-detail.js';

const MiB = 1024 * 1024;

export interface CatalogOptions {
  readonly repos: readonly RepoConfig[];
  /** Between two refreshes of every index once the catalog is ready. Default 5 minutes. */
  readonly refreshIntervalMs?: number;
  /** Between attempts while no repository has loaded yet. Default 5 s. */
  readonly startupRetryMs?: number;
  /** For one index.yaml download, body included. Default 30 s. */
  readonly indexTimeoutMs?: number;
  /** Largest index.yaml accepted. Default 64 MiB. */
  readonly indexMaxBytes?: number;
  /** For one archive download. Default 30 s. */
  readonly archiveTimeoutMs?: number;
  /** Largest chart archive accepted. Default 20 MiB. */
  readonly archiveMaxBytes?: number;
  /** Archives kept in memory, in total. Default 128 MiB. */
  readonly archiveCacheBytes?: number;
}

/** Seams for tests and adapters; production uses the defaults. */
export interface CatalogDeps {
  readonly fetch?: FetchFn;
  /** Epoch milliseconds. */
  readonly now?: () => number;
}

/**
 * The catalog over chart repositories, index.yaml ones over HTTP(S) and OCI
 * registries (oci/oci-sync.ts): every index is loaded at
 * start and refreshed on an interval, merged into one immutable snapshot
 * per change, and searched and paged from it; archives are fetched when a
 * version is opened or installed. See repo-sync.ts for what happens when a
 * repository fails, catalog-snapshot.ts for what is precomputed.
 */
export class DefaultCatalog implements Catalog, CatalogJson {
  private readonly syncs: RepoSource[];
  private readonly archives: ArchiveStore;
  private readonly counters = newCounters();
  private readonly now: () => number;
  private readonly stopping = new AbortController();
  private snapshot: CatalogSnapshot | undefined;
  private generation = 0;
  private startedAt: number;
  private round: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly refreshIntervalMs: number;
  private readonly startupRetryMs: number;
  private readonly logger: Logger;

  constructor(options: CatalogOptions, logger: Logger, deps: CatalogDeps = {}) {
    this.logger = logger.child({ component: 'catalog' });
    this.now = deps.now ?? Date.now;
    this.startedAt = this.now();
    this.refreshIntervalMs = options.refreshIntervalMs ?? 5 * 60_000;
    this.startupRetryMs = options.startupRetryMs ?? 5_000;
    const syncOptions = {
      timeoutMs: options.indexTimeoutMs ?? 30_000,
      maxBytes: options.indexMaxBytes ?? 64 * MiB,
      fetch: deps.fetch,
      now: this.now,
    };
    const names = new Set<string>();
    this.syncs = options.repos.map((repo) => {
      if (names.has(repo.name)) throw new AppStoreError('InvalidArgument', `repository ${repo.name} is configured twice`);
      names.add(repo.name);
      return repo.oci
        ? new OciRepoSync(repo, syncOptions, this.counters, this.logger)
        : new RepoSync(repo, syncOptions, this.counters, this.logger);
    });
    this.archives = new ArchiveStore(
      {
        cacheBytes: options.archiveCacheBytes ?? 128 * MiB,
        maxBytes: options.archiveMaxBytes ?? 20 * MiB,
        timeoutMs: options.archiveTimeoutMs ?? 30_000,
        fetch: deps.fetch,
      },
      this.counters,
      this.logger,
    );
  }

  /**
   * Loads every repository once, then keeps refreshing them. Resolves after
   * that first round whatever its outcome: a repository that is down makes
   * the catalog unavailable (or partial), not the store unable to start.
   */
  async start(): Promise<void> {
    this.startedAt = this.now();
    await this.refresh();
  }

  /** Stops refreshing and cancels an index download under way. */
  async stop(): Promise<void> {
    this.stopping.abort();
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  /** Refreshes every repository now (one round at a time: a call during a round waits for it). */
  refresh(): Promise<void> {
    this.round ??= this.runRound().finally(() => {
      this.round = undefined;
      this.schedule();
    });
    return this.round;
  }

  ready(): boolean {
    return this.snapshot !== undefined;
  }

  async list(query: PackageQuery): Promise<PackagePage> {
    const snapshot = this.current();
    const { records, total } = snapshot.select(normalizeQuery(query));
    return { packages: records.map((r) => r.package), total, staleSeconds: this.staleSeconds() };
  }

  async listJson(query: PackageQuery): Promise<PackagePageJson> {
    return { ...this.current().selectJson(normalizeQuery(query)), staleSeconds: this.staleSeconds() };
  }

  async get(idOrName: string): Promise<Package> {
    return this.current().find(idOrName).package;
  }

  async getVersion(id: string, version: string): Promise<PackageVersionDetail> {
    const [record, found] = this.findVersion(id, version);
    return readVersionDetail(await this.archive(record, found), record, found);
  }

  async fetchArchive(id: string, version: string): Promise<Buffer> {
    const [record, found] = this.findVersion(id, version);
    return this.archive(record, found);
  }

  /** Counters and per-repository state, for readiness, metrics and debugging. */
  status(): CatalogStatus {
    return {
      ready: this.ready(),
      generation: this.snapshot?.generation ?? 0,
      staleSeconds: this.staleSeconds(),
      packages: this.snapshot?.size ?? 0,
      repos: this.syncs.map((s) => s.status()),
      counters: { ...this.counters },
      archiveCache: this.archives.stats(),
    };
  }

  private async runRound(): Promise<void> {
    const outcomes = await Promise.all(this.syncs.map((s) => s.refresh(this.stopping.signal)));
    const anyLoaded = this.syncs.length === 0 || this.syncs.some((s) => s.status().loaded);
    if (!anyLoaded || (this.snapshot !== undefined && !outcomes.includes('updated'))) return;
    try {
      const snapshot = new CatalogSnapshot(this.generation + 1, this.syncs.map((s) => s.records));
      this.generation = snapshot.generation;
      this.snapshot = snapshot;
    } catch (err) {
      // A bug, not a repository's fault: keep serving the previous snapshot, and say so.
      this.logger.error({ err }, 'building the catalog snapshot failed');
    }
  }

  private schedule(): void {
    if (this.stopping.signal.aborted) return;
    clearTimeout(this.timer);
    const delay = this.ready() ? this.refreshIntervalMs : this.startupRetryMs;
    this.timer = setTimeout(() => void this.refresh(), delay);
    this.timer.unref();
  }

  private current(): CatalogSnapshot {
    if (this.snapshot) return this.snapshot;
    const repos = this.syncs.map((s) => {
      const { name, lastError } = s.status();
      return { name, error: lastError ?? 'not tried yet' };
    });
    const why = repos.map((r) => `${r.name}: ${r.error}`).join('; ');
    throw new AppStoreError(
      'Unavailable',
      `the catalog is not available yet: no chart repository has loaded (${why})`,
      { repos },
    );
  }

  private findVersion(id: string, version: string): [PackageRecord, VersionRecord] {
    const record = this.current().find(id);
    const found = findVersion(record, version);
    if (!found) {
      throw new AppStoreError('NotFound', `package ${record.package.id} has no version ${version}`, {
        id: record.package.id,
        version,
      });
    }
    return [record, found];
  }

  private archive(record: PackageRecord, version: VersionRecord): Promise<Buffer> {
    const source = this.syncs.find((s) => s.repo.name === record.package.repo);
    const repo = source?.repo;
    return this.archives.get({
      label: `${record.package.id} ${version.version.version}`,
      digest: version.version.digest,
      urls: version.urls,
      headers: (url) => (repo ? authHeaders(repo, url) : {}),
      ...(source?.download && { download: source.download.bind(source), source: 'the registry manifest' }),
    });
  }

  /** See PackagePage.staleSeconds. */
  private staleSeconds(): number {
    let oldest: number | undefined;
    for (const sync of this.syncs) {
      const { failing, loaded, lastSuccessAt } = sync.status();
      if (!failing && loaded) continue;
      const since = lastSuccessAt ?? this.startedAt;
      oldest = oldest === undefined ? since : Math.min(oldest, since);
    }
    return oldest === undefined ? 0 : Math.max(0, Math.floor((this.now() - oldest) / 1000));
  }
}

/** The catalog for the configured repositories; call start() to load them, stop() at shutdown. */
export function createCatalog(options: CatalogOptions, logger: Logger, deps: CatalogDeps = {}): DefaultCatalog {
  return new DefaultCatalog(options, logger, deps);
}
