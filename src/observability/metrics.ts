/**
 * The store's Prometheus metrics (prom-client), in a registry of their own
 * so that several stores composed in one process (tests) do not collide.
 * The rooms never import prom-client: the servers report requests through
 * observeHttp/observeGrpc, the Tiller client through an observer, and the
 * catalog and the release records are read at scrape time from what they
 * already report about themselves.
 */
import { LRUCache } from 'lru-cache';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the catalog reports about itself (structurally its status()), as far as metrics need it. */
export interface CatalogStatusSource {
  status(): {
    readonly ready: boolean;
    readonly staleSeconds: number;
    readonly packages: number;
    readonly repos: ReadonlyArray<{ readonly name: string; readonly failing: boolean; readonly lastSuccessAt: number | undefined }>;
    readonly counters: {
      readonly indexRequests: number;
      readonly indexFailures: number;
      readonly archiveFailures: number;
      readonly registryRateLimited?: number;
    };
  };
}

/** What the identity room reports about itself (structurally its status()), read at scrape time. */
export interface IdentityStatusSource {
  status(): {
    readonly files: ReadonlyArray<{ readonly variable: string; readonly reloads: number; readonly failures: number; readonly failing: boolean }>;
    readonly signIns: { readonly failed: number; readonly limited: number };
  };
}

/** The number of release records in each state, read at scrape time (from metadata: never the records themselves). */
export type ReleaseCountSource = () => Promise<Readonly<Record<string, number>>>;

/** What one reconciliation pass reports about itself (structurally its ReconcileReport), as far as metrics need it. */
export interface ReconcilePassReport {
  readonly actions: ReadonlyArray<{ readonly action: string }>;
  readonly failures: ReadonlyArray<{ readonly action: string }>;
}

export interface MetricsOptions {
  /** Node.js process metrics (CPU, memory, event loop lag, GC); on by default. */
  readonly defaultMetrics?: boolean;
  /** Clock for refresh ages, epoch milliseconds. */
  readonly now?: () => number;
  /** How long one count of the release records serves scrapes (5 s by default, at least 1 ms): concurrent scrapes share one read. */
  readonly releaseCountTtlMs?: number;
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const TILLER_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

export class Metrics {
  readonly registry = new Registry();
  private readonly now: () => number;
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly grpcCalls: Counter<'method' | 'code'>;
  private readonly grpcDuration: Histogram<'method' | 'code'>;
  private readonly tillerDuration: Histogram<'operation' | 'outcome'>;
  private readonly tillerErrors: Counter<'operation' | 'code'>;
  private readonly reconcilePasses: Counter<'outcome'>;
  private readonly reconcileActions: Counter<'action'>;
  private readonly reconcileFailures: Counter<'action'>;
  private readonly releaseCountTtlMs: number;

  constructor(options: MetricsOptions = {}) {
    this.now = options.now ?? Date.now;
    this.releaseCountTtlMs = Math.max(1, options.releaseCountTtlMs ?? 5000); // lru-cache takes 0 for "forever"
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: 'appstore_http_requests_total',
      help: 'REST requests answered, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'appstore_http_request_duration_seconds',
      help: 'Time to answer a REST request, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.grpcCalls = new Counter({
      name: 'appstore_grpc_calls_total',
      help: 'gRPC calls of appstore.v1.AppStore answered, by method and status code',
      labelNames: ['method', 'code'],
      registers,
    });
    this.grpcDuration = new Histogram({
      name: 'appstore_grpc_call_duration_seconds',
      help: 'Time to answer a gRPC call, by method and status code',
      labelNames: ['method', 'code'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.tillerDuration = new Histogram({
      name: 'appstore_tiller_call_duration_seconds',
      help: 'Duration of calls to Tiller, by operation and outcome (ok, error)',
      labelNames: ['operation', 'outcome'],
      buckets: TILLER_BUCKETS,
      registers,
    });
    this.tillerErrors = new Counter({
      name: 'appstore_tiller_call_errors_total',
      help: 'Calls to Tiller that failed, by operation and error code',
      labelNames: ['operation', 'code'],
      registers,
    });
    this.reconcilePasses = new Counter({
      name: 'appstore_reconcile_passes_total',
      help: 'Reconciliation passes, by outcome (ok; failed: the records or Tiller\'s releases could not be listed)',
      labelNames: ['outcome'],
      registers,
    });
    this.reconcileActions = new Counter({
      name: 'appstore_reconcile_actions_total',
      help: 'Records (and unmanaged Tiller releases) reconciliation acted on or reported, by action',
      labelNames: ['action'],
      registers,
    });
    this.reconcileFailures = new Counter({
      name: 'appstore_reconcile_failures_total',
      help: 'Records reconciliation could not handle in a pass (tried again in the next), by the action that failed (read: reading the record)',
      labelNames: ['action'],
      registers,
    });
  }

  /** A reconciliation pass ended: its report, or the error that failed it as a whole. */
  observeReconcile(report: ReconcilePassReport | undefined): void {
    this.reconcilePasses.inc({ outcome: report ? 'ok' : 'failed' });
    for (const { action } of report?.actions ?? []) this.reconcileActions.inc({ action });
    for (const { action } of report?.failures ?? []) this.reconcileFailures.inc({ action });
  }

  /** route is the route pattern (e.g. /releases/:id), never the raw path, to keep the label set bounded. */
  observeHttp(call: { method: string; route: string; status: number; seconds: number }): void {
    const labels = { method: call.method, route: call.route, status: String(call.status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, call.seconds);
  }

  observeGrpc(call: { method: string; code: string; seconds: number }): void {
    const labels = { method: call.method, code: call.code };
    this.grpcCalls.inc(labels);
    this.grpcDuration.observe(labels, call.seconds);
  }

  /** A Tiller call starts; the returned function ends it, with the failure's code when it failed. */
  tillerCall(operation: string): (errorCode?: string) => void {
    const end = this.tillerDuration.startTimer({ operation });
    return (errorCode) => {
      end({ outcome: errorCode === undefined ? 'ok' : 'error' });
      if (errorCode !== undefined) this.tillerErrors.inc({ operation, code: errorCode });
    };
  }

  /** Catalog readiness, size, refresh age per repository and refresh failures, read at scrape time. */
  watchCatalog(catalog: CatalogStatusSource): void {
    const registers = [this.registry];
    const now = this.now;
    new Gauge({
      name: 'appstore_catalog_ready',
      help: '1 once a chart repository index has loaded',
      registers,
      collect() {
        this.set(catalog.status().ready ? 1 : 0);
      },
    });
    new Gauge({
      name: 'appstore_catalog_packages',
      help: 'Packages the catalog serves',
      registers,
      collect() {
        this.set(catalog.status().packages);
      },
    });
    new Gauge({
      name: 'appstore_catalog_stale_seconds',
      help: 'How long the catalog has served a copy that failed to refresh (0 when every repository is fresh)',
      registers,
      collect() {
        this.set(catalog.status().staleSeconds);
      },
    });
    new Gauge({
      name: 'appstore_catalog_refresh_age_seconds',
      help: 'Seconds since the latest successful refresh of a repository index (absent until one succeeded)',
      labelNames: ['repo'],
      registers,
      collect() {
        this.reset();
        for (const repo of catalog.status().repos) {
          if (repo.lastSuccessAt !== undefined) this.set({ repo: repo.name }, Math.max(0, (now() - repo.lastSuccessAt) / 1000));
        }
      },
    });
    new Gauge({
      name: 'appstore_catalog_repo_failing',
      help: '1 when the latest refresh of a repository index failed',
      labelNames: ['repo'],
      registers,
      collect() {
        this.reset();
        for (const repo of catalog.status().repos) this.set({ repo: repo.name }, repo.failing ? 1 : 0);
      },
    });
    const counter = (name: string, help: string, read: (c: ReturnType<CatalogStatusSource['status']>['counters']) => number) =>
      mirroredCounter(registers, name, help, () => read(catalog.status().counters));
    counter('appstore_catalog_refreshes_total', 'Repository index requests sent', (c) => c.indexRequests);
    counter('appstore_catalog_refresh_failures_total', 'Repository index refreshes that failed (the last good copy stayed)', (c) => c.indexFailures);
    counter('appstore_catalog_archive_failures_total', 'Chart archive downloads that failed, digest mismatches included', (c) => c.archiveFailures);
    counter('appstore_catalog_registry_rate_limited_total', 'OCI registry answers 429 Too Many Requests (waited out or failing the refresh)', (c) => c.registryRateLimited ?? 0);
  }

  /** Reloads of the identity files and failed sign-ins, read at scrape time from the identity room's own counts. */
  watchIdentity(identity: IdentityStatusSource): void {
    const registers = [this.registry];
    const perFile = (name: string, help: string, read: (file: ReturnType<IdentityStatusSource['status']>['files'][number]) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['variable'],
        registers,
        collect() {
          this.reset();
          for (const file of identity.status().files) this.inc({ variable: file.variable }, read(file));
        },
      });
    perFile('appstore_identity_file_reloads_total', 'Changes of a tokens or namespaces file taken into use, by variable', (f) => f.reloads);
    perFile('appstore_identity_file_reload_failures_total', 'Changes of a tokens or namespaces file refused as invalid (the last good content stayed)', (f) => f.failures);
    new Gauge({
      name: 'appstore_identity_file_failing',
      help: '1 while a tokens or namespaces file is invalid and its last good content is in use',
      labelNames: ['variable'],
      registers,
      collect() {
        this.reset();
        for (const file of identity.status().files) this.set({ variable: file.variable }, file.failing ? 1 : 0);
      },
    });
    const signIns = (name: string, help: string, read: (c: ReturnType<IdentityStatusSource['status']>['signIns']) => number) =>
      mirroredCounter(registers, name, help, () => read(identity.status().signIns));
    signIns('appstore_auth_failures_total', 'Sign-ins refused because the credentials were not valid', (c) => c.failed);
    signIns('appstore_auth_rate_limited_total', 'Attempts refused unheard because their client had failed to sign in too often', (c) => c.limited);
  }

  /**
   * The number of releases the store keeps records of, by state, read at scrape time. /metrics is public: one count
   * serves every scrape for a few seconds, and scrapes that arrive while it is read wait for that same read.
   */
  watchReleases(counts: ReleaseCountSource): void {
    const cache = new LRUCache<'counts', Readonly<Record<string, number>>>({
      max: 1,
      ttl: this.releaseCountTtlMs,
      fetchMethod: () => counts(),
    });
    new Gauge({
      name: 'appstore_releases',
      help: 'Release records the store keeps, by state (pending, deployed, deleting)',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        let read: Readonly<Record<string, number>> | undefined;
        try {
          read = await cache.fetch('counts');
        } catch {
          return; // the API server did not answer: keep the last figures rather than fail the scrape
        }
        if (!read) return;
        this.reset();
        for (const [state, n] of Object.entries({ pending: 0, deployed: 0, deleting: 0, ...read })) this.set({ state }, n);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text for GET /metrics. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** A counter whose total another room keeps (monotonic), mirrored at scrape time. */
function mirroredCounter(registers: Registry[], name: string, help: string, read: () => number): Counter {
  return new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}
