import type { Chart } from '../../gen/hapi/chart/chart.js';
import { invalidArgument } from '../domain/errors.js';
import { cloneChart } from './clone-chart.js';
import { applyRequirementsEnabled, type WarningSink } from './requirements-enabled.js';
import { readRequirements } from './requirements-file.js';
import { applyImportValues } from './requirements-import-values.js';
import { cloneValues, isTable, readValues, type Values } from './values.js';

/** Options of {@link processRequirements}. */
export interface ProcessRequirementsOptions {
  /** Called with what helm would log as a warning; ignored by default. */
  readonly onWarning?: WarningSink;
}

/**
 * Prepares a chart for Tiller the way the Helm 2 client does before an
 * install or upgrade, since Tiller itself does none of it:
 *
 * - refuses a chart whose requirements.yaml lists a dependency missing from
 *   charts/ (helm install/upgrade do the same check);
 * - ProcessRequirementsEnabled: aliases, tags and conditions evaluated
 *   against the user's values coalesced over the chart defaults, disabled
 *   subcharts removed, recursively;
 * - ProcessRequirementsImportValues: import-values copied from subcharts
 *   into their parents' values.yaml.
 *
 * The user values themselves are not merged into the chart: they are sent to
 * Tiller separately, as helm does.
 *
 * @param chart a loaded chart; not modified
 * @param userValues the release's values, as YAML text or a parsed mapping
 * @returns a new chart, ready to send to Tiller
 * @throws AppStoreError InvalidArgument for unreadable values or requirements,
 *   a missing dependency, or values that contradict the chart's structure
 */
export function processRequirements(
  chart: Chart,
  userValues: string | Values = '',
  options: ProcessRequirementsOptions = {},
): Chart {
  const warn = options.onWarning ?? (() => undefined);
  const values = toValues(userValues);
  const missing = missingDependencies(chart);
  if (missing.length > 0) {
    throw invalidArgument(
      `chart '${chart.metadata?.name ?? ''}': found in requirements.yaml, but missing in charts/ directory: ${missing.join(', ')}`,
      { missing },
    );
  }
  const out = cloneChart(chart);
  applyRequirementsEnabled(out, values, '', warn);
  applyImportValues(out, warn);
  return out;
}

/**
 * Names listed in the chart's requirements.yaml for which charts/ holds no
 * chart of that name (Helm's CheckDependencies; versions are not compared).
 */
export function missingDependencies(chart: Chart): string[] {
  const requirements = readRequirements(chart) ?? [];
  const present = new Set(chart.dependencies.map((d) => d.metadata?.name));
  return requirements.filter((r) => !present.has(r.name)).map((r) => r.name);
}

function toValues(userValues: string | Values): Values {
  if (typeof userValues === 'string') return readValues(userValues, 'values');
  const copy = cloneValues(userValues);
  if (!isTable(copy)) throw invalidArgument('values must be a mapping');
  return copy;
}
