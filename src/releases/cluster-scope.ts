/**
 * What a chart version creates outside any namespace with its default
 * values, for the catalog: operators see what `allowClusterScoped` would let
 * in before anyone installs it. The chart is rendered by the engine's dry run
 * (nothing is applied) and the result kept per version: a version's archive
 * never changes (its digest is checked). The catalog is public, so renders
 * are cached, shared by concurrent callers and run one at a time.
 */
import { LRUCache } from 'lru-cache';
import type { Catalog } from '../catalog/types.js';
import { AppStoreError } from '../domain/errors.js';
import { newReleaseId } from './release-ids.js';
import { resolveChart } from './resolve-chart.js';
import type { TenancyCheck } from './tenancy-check.js';
import type { Chart } from '../../gen/hapi/chart/chart.js';
import type { ReleaseEngine } from './types.js';

export interface ClusterScopeView {
  readonly rendered: boolean;
  readonly detail: string;
  readonly objects: ReadonlyArray<{ readonly kind: string; readonly name: string; readonly served: boolean }>;
  readonly allowed: boolean;
}

export interface ClusterScopeDeps {
  readonly catalog: Catalog;
  readonly engine: Pick<ReleaseEngine, 'install' | 'profile'>;
  readonly tenancy: TenancyCheck;
  readonly allowsClusterScoped: (application: string) => boolean;
  /** Where the dry run pretends to install (it must exist; nothing is created there). */
  readonly namespace: string;
}

export class ClusterScope {
  private readonly cache = new LRUCache<string, Omit<ClusterScopeView, 'allowed'>>({ max: 2000, ttl: 60 * 60_000 });
  private readonly inFlight = new Map<string, Promise<Omit<ClusterScopeView, 'allowed'>>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ClusterScopeDeps) {}

  async of(application: string, version: string): Promise<ClusterScopeView> {
    const key = `${application}@${version}`;
    const found = this.cache.get(key) ?? (await this.shared(key, application, version));
    return { ...found, allowed: this.deps.allowsClusterScoped(application) };
  }

  private shared(key: string, application: string, version: string): Promise<Omit<ClusterScopeView, 'allowed'>> {
    let pending = this.inFlight.get(key);
    if (!pending) {
      // One render at a time: a public page must not be a way to load the engine.
      pending = this.queue.then(() => this.render(application, version)).finally(() => this.inFlight.delete(key));
      this.queue = pending.catch(() => undefined);
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async render(application: string, version: string): Promise<Omit<ClusterScopeView, 'allowed'>> {
    let manifest: { manifest: string; hooks: Array<{ name: string; manifest: string }> };
    try {
      const engine = await this.deps.engine.profile();
      const resolved = await resolveChart(this.deps.catalog, { application, version, development: true, values: {} }, engine);
      const release = await this.deps.engine.install({
        chart: resolved.chart,
        name: newReleaseId(),
        namespace: this.deps.namespace,
        valuesYaml: '',
        dryRun: true,
        // What is there to see: a Helm engine would otherwise refuse the objects this view is about.
        allowClusterScoped: true,
      });
      // crds/ (apiVersion v2) is installed by Helm before rendering and is in no manifest: its files count too.
      manifest = { manifest: release.manifest, hooks: [...release.hooks, ...crdFiles(resolved.chart)] };
    } catch (err) {
      const failure = AppStoreError.from(err);
      // An outage is not a property of the chart: said as such, and not kept.
      if (failure.code === 'Unavailable' || failure.code === 'Internal') {
        return { rendered: false, detail: `not known now: ${failure.message}`, objects: [] };
      }
      return this.kept(application, version, { rendered: false, detail: `does not render with its default values: ${failure.message}`, objects: [] });
    }
    return this.kept(application, version, { rendered: true, detail: '', objects: await this.deps.tenancy.clusterScoped(manifest) });
  }

  private kept(application: string, version: string, view: Omit<ClusterScopeView, 'allowed'>): Omit<ClusterScopeView, 'allowed'> {
    this.cache.set(`${application}@${version}`, view);
    return view;
  }
}

/** The crds/ files of a chart and its subcharts, as documents to read (Helm installs `crds/*.{yaml,yml,json}`). */
function crdFiles(chart: Chart, where = ''): Array<{ name: string; manifest: string }> {
  const own = chart.files
    .filter((f) => /^crds\/.+\.(ya?ml|json)$/.test(f.typeUrl))
    .map((f) => ({ name: `${where}${f.typeUrl}`, manifest: Buffer.from(f.value).toString('utf8') }));
  return [...own, ...chart.dependencies.flatMap((d) => crdFiles(d, `${where}charts/${d.metadata?.name ?? ''}/`))];
}
