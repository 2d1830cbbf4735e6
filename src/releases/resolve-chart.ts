/**
 * From an application and version to the chart Tiller receives: the package
 * is resolved in the catalog, the version checked (and gated: prereleases and
 * development repositories are for development releases only), the archive
 * fetched and loaded, requirements processed as the Helm 2 client would, and
 * the values validated against the chart's schema.
 *
 * An apiVersion v2 chart goes only to a Helm engine, whole: dependencies
 * (conditions, tags, alias, import-values) and values.schema.json are Helm's,
 * done once by Helm's code there. Tiller v2 cannot render it: a 422 naming the
 * engine that would.
 */
import type { Chart } from '../../gen/hapi/chart/chart.js';
import { matchVersion, type Catalog } from '../catalog/index.js';
import { loadChartArchive, processRequirements, validateChartValues } from '../charts/index.js';
import { AppStoreError } from '../domain/errors.js';
import { CHART_API_VERSION_V2 } from '../charts/chart-metadata.js';
import { engineName, type EngineProfile } from '../tiller/engine-profile.js';
import { valuesToYaml, type Values } from './values.js';

export interface ResolvedChart {
  readonly application: string;
  readonly version: string;
  readonly chart: Chart;
  readonly valuesYaml: string;
}

export async function resolveChart(
  catalog: Catalog,
  input: { application: string; version: string; development: boolean; values: Values },
  engine: EngineProfile,
): Promise<ResolvedChart> {
  const pkg = await catalog.get(input.application);
  const wanted = input.version.trim();
  const candidates = pkg.versions.filter((v) => input.development || (!v.prerelease && !v.development));
  // `v1.0.0` and `1.0.0` alike (the catalog's rule); the record keeps the chart's own spelling.
  const version = wanted === '' ? candidates[0] : matchVersion(pkg.versions, wanted, (v) => v.version);
  if (!version) {
    const known = pkg.versions.map((v) => v.version).slice(0, 20).join(', ');
    throw new AppStoreError(
      'Unprocessable',
      wanted === ''
        ? `${pkg.id} has no version a non-development release may install`
        : `${pkg.id} has no version ${wanted}; known versions: ${known}`,
      { parameter: 'version' },
    );
  }
  if (!input.development && (version.prerelease || version.development)) {
    const why = version.prerelease ? 'is a prerelease' : `comes from the development repository ${pkg.repo}`;
    throw new AppStoreError(
      'Unprocessable',
      `${pkg.id} ${version.version} ${why}: only a release with "development": true may install it`,
      { parameter: 'development' },
    );
  }
  const loaded = await loadChartArchive(await catalog.fetchArchive(pkg.id, version.version));
  const valuesYaml = valuesToYaml(input.values);
  if (loaded.metadata?.apiVersion === CHART_API_VERSION_V2) {
    if (engine.kind === 'tiller') {
      throw new AppStoreError(
        'Unprocessable',
        `${pkg.id} ${version.version} is an apiVersion v2 chart (Helm 3 and later), which ${engineName(engine)} cannot render; ` +
          "the store's Helm engine (engine/) installs it",
        { parameter: 'application', engine: engine.version },
      );
    }
    return { application: pkg.id, version: version.version, chart: loaded, valuesYaml };
  }
  const chart = processRequirements(loaded, input.values);
  validateChartValues(chart, input.values, `${pkg.id} ${version.version}`);
  return { application: pkg.id, version: version.version, chart, valuesYaml };
}
