import type { Any } from '../../gen/google/protobuf/any.js';
import type { Chart } from '../../gen/hapi/chart/chart.js';
import type { Metadata } from '../../gen/hapi/chart/metadata.js';
import type { Template } from '../../gen/hapi/chart/template.js';
import { invalidArgument } from '../domain/errors.js';
import { readChartArchive } from './archive.js';
import { normalizeChartFiles, type ChartFile } from './chart-files.js';
import { CHART_API_VERSION_V2, parseChartMetadata } from './chart-metadata.js';
import { HelmIgnore } from './helmignore.js';
import { ArchiveBudget, resolveLimits, type ArchiveLimits } from './limits.js';

/** How to load a chart given as files (see {@link loadChartFiles}). */
export interface LoadChartFilesOptions {
  /** Limits on entries and bytes, shared with any nested .tgz subchart. */
  readonly limits?: Partial<ArchiveLimits>;
  /**
   * Apply the chart's .helmignore (plus Helm's default `templates/.?*`), as
   * helm does when it loads a chart directory. Default true.
   */
  readonly helmignore?: boolean;
}

/**
 * Loads a packaged chart (.tgz) into the Chart message Tiller expects, with
 * Helm 2's loader rules (pkg/chartutil LoadArchive + LoadFiles). An
 * apiVersion v2 chart loads too, for a Helm engine: its raw Chart.yaml is
 * kept among its files (the engine prefers it over the Metadata fields).
 *
 * As in Helm, .helmignore is not applied to an archive: `helm package`
 * already applied it, and the .helmignore file itself is kept among the
 * chart's files.
 *
 * @throws AppStoreError InvalidArgument for a hostile, corrupt or oversized
 *   archive, or a chart without a valid Chart.yaml
 */
export async function loadChartArchive(archive: Buffer, limits?: Partial<ArchiveLimits>): Promise<Chart> {
  const budget = new ArchiveBudget(resolveLimits(limits));
  const files = await readChartArchive(archive, budget);
  return buildChart(files, budget, 0, '');
}

/**
 * Loads an unpacked chart given as files relative to its root (a chart
 * directory), with Helm 2's directory rules (LoadDir): .helmignore applies
 * to the whole tree, subcharts included, unless disabled. The same path and
 * size guards as for archives apply.
 */
export async function loadChartFiles(files: readonly ChartFile[], options: LoadChartFilesOptions = {}): Promise<Chart> {
  const budget = new ArchiveBudget(resolveLimits(options.limits));
  let normalized = normalizeChartFiles(files, budget);
  if (options.helmignore !== false) normalized = HelmIgnore.forChart(normalized).filter(normalized);
  return buildChart(normalized, budget, 0, '');
}

/**
 * Sorts a chart's files into metadata, values, templates, subcharts and
 * other files, then loads each subchart from its folder or nested archive.
 *
 * @param where path of this chart inside the top-level one, for messages
 */
async function buildChart(files: readonly ChartFile[], budget: ArchiveBudget, depth: number, where: string): Promise<Chart> {
  if (depth > budget.limits.maxDepth) {
    const at = where.replace(/[/:\s]+$/, '');
    throw invalidArgument(`subcharts are nested more than ${budget.limits.maxDepth} levels deep (limit maxDepth), at ${at}`);
  }
  let metadata: Metadata | undefined;
  let valuesRaw = '';
  const templates: Template[] = [];
  const others: Any[] = [];
  const subcharts = new Map<string, ChartFile[]>();

  for (const file of files) {
    const { path, data } = file;
    if (path === 'Chart.yaml') {
      metadata = parseChartMetadata(data, where);
      // hapi's Metadata has no type and no dependencies: a Helm engine reads them from the raw file.
      if (metadata.apiVersion === CHART_API_VERSION_V2) others.push({ typeUrl: path, value: data });
    } else if (path === 'values.toml') {
      throw invalidArgument(`${where}values.toml is not supported; use values.yaml`);
    } else if (path === 'values.yaml') {
      valuesRaw = data.toString('utf8');
    } else if (path.startsWith('templates/')) {
      templates.push({ name: path, data });
    } else if (path.startsWith('charts/') && !path.endsWith('.prov')) {
      const inside = path.slice('charts/'.length);
      // Helm skips charts/ entries starting with '.' or '_' (e.g. charts/.git, charts/_helpers).
      if (inside.startsWith('.') || inside.startsWith('_')) continue;
      const name = inside.split('/', 1)[0] ?? inside;
      const group = subcharts.get(name) ?? [];
      group.push({ path: inside, data });
      subcharts.set(name, group);
    } else {
      // Provenance files (charts/*.prov) land here too, as in Helm.
      others.push({ typeUrl: path, value: data });
    }
  }
  if (metadata === undefined) throw invalidArgument(`${where}Chart.yaml is missing`);

  const dependencies: Chart[] = [];
  for (const [name, group] of subcharts) {
    dependencies.push(await loadSubchart(name, group, budget, depth + 1, `${where}charts/`));
  }
  return { metadata, templates, dependencies, values: { raw: valuesRaw, values: {} }, files: others };
}

/** A subchart is either charts/<name>.tgz or a folder charts/<name>/. */
async function loadSubchart(
  name: string,
  group: readonly ChartFile[],
  budget: ArchiveBudget,
  depth: number,
  chartsDir: string,
): Promise<Chart> {
  if (name.endsWith('.tgz')) {
    const where = `${chartsDir}${name}: `;
    const archive = group[0];
    if (group.length !== 1 || archive === undefined || archive.path !== name) {
      throw invalidArgument(`${chartsDir}${name} must be a chart archive file, not a directory`);
    }
    return buildChart(await readChartArchive(archive.data, budget, where), budget, depth, where);
  }
  const inner = group
    .filter((f) => f.path.includes('/'))
    .map((f) => ({ path: f.path.slice(name.length + 1), data: f.data }));
  if (inner.length === 0) {
    throw invalidArgument(`${chartsDir}${name} is neither a chart directory nor a .tgz chart archive`);
  }
  return buildChart(inner, budget, depth, `${chartsDir}${name}/`);
}
