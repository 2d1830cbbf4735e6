import type { Chart } from '../../gen/hapi/chart/chart.js';
import { cloneChart } from './clone-chart.js';
import { readRequirements, type Requirement } from './requirements-file.js';
import { isCompatibleRange } from './semver-range.js';
import { cloneValues, coalesceChart, tableAt, valueAt, type Values } from './values.js';

/** Receives what Helm would log as a warning (non-bool conditions, missing tables...). */
export type WarningSink = (message: string) => void;

/**
 * Helm 2's ProcessRequirementsEnabled, applied in place to a chart we own
 * (a clone):
 *
 * 1. subcharts listed in requirements.yaml (same name, version within the
 *    constraint) are taken in requirements order, renamed to their alias if
 *    any; subcharts not listed stay as they are;
 * 2. values are coalesced (the given values over the chart's defaults, and
 *    each subchart's defaults under its name);
 * 3. each listed dependency starts enabled; `tags` (looked up in the
 *    top-level `tags` table) can disable it when all its set tags are
 *    false; a `condition` then overrides the tags: its comma-separated paths
 *    are tried in order, relative to this chart's values, and the first that
 *    is set (non-null) decides if it is a boolean;
 * 4. disabled subcharts are dropped, and the survivors are processed the
 *    same way with the coalesced values, their condition paths prefixed
 *    with their name (`sub.` + condition).
 *
 * @param values consumed: pass a copy
 * @param path this chart's prefix in the top-level values (`''`, `sub.`, ...)
 */
export function applyRequirementsEnabled(chart: Chart, values: Values, path: string, warn: WarningSink): void {
  const requirements = readRequirements(chart);
  if (requirements === undefined) return;

  const existing = chart.dependencies;
  const listed = (r: Requirement, d: Chart) =>
    d.metadata !== undefined && d.metadata.name === r.name && isCompatibleRange(r.version, d.metadata.version);
  const dependencies = existing.filter((d) => !requirements.some((r) => listed(r, d)));
  for (const r of requirements) {
    const match = existing.find((d) => listed(r, d));
    if (match !== undefined) dependencies.push(cloneChart(match, r.alias === '' ? r.name : r.alias));
  }
  chart.dependencies = dependencies;

  const merged = coalesceChart(chart, values);
  const enabled = requirements.map(() => true);
  applyTags(requirements, merged, enabled, warn);
  applyConditions(requirements, merged, path, enabled, warn);

  const disabled = new Set(requirements.filter((_, i) => enabled[i] === false).map(effectiveName));
  chart.dependencies = chart.dependencies.filter((d) => !disabled.has(d.metadata?.name ?? ''));
  for (const sub of chart.dependencies) {
    const name = sub.metadata?.name ?? '';
    applyRequirementsEnabled(sub, cloneValues(merged) as Values, `${path}${name}.`, warn);
  }
}

function effectiveName(r: Requirement): string {
  return r.alias === '' ? r.name : r.alias;
}

/** Tags live in the top-level `tags` table; any true tag enables, all-false disables. */
function applyTags(requirements: readonly Requirement[], values: Values, enabled: boolean[], warn: WarningSink): void {
  const tags = tableAt(values, 'tags');
  if (tags === undefined) return;
  requirements.forEach((r, i) => {
    if (r.tags.length === 0) return;
    let anyTrue = false;
    let anyFalse = false;
    for (const tag of r.tags) {
      if (!Object.hasOwn(tags, tag)) continue;
      const value = tags[tag];
      if (value === true) anyTrue = true;
      else if (value === false) anyFalse = true;
      else warn(`tag '${tag}' for chart ${r.name} is not a boolean`);
    }
    enabled[i] = anyTrue || !anyFalse;
  });
}

/** The first condition path holding a non-null value decides, if it is a boolean. */
function applyConditions(
  requirements: readonly Requirement[],
  values: Values,
  path: string,
  enabled: boolean[],
  warn: WarningSink,
): void {
  requirements.forEach((r, i) => {
    if (r.condition === '') return;
    // As in Helm, the whole string is trimmed but not each comma-separated path.
    const conditions = r.condition.trim().split(',');
    let anyTrue = false;
    let anyFalse = false;
    for (const condition of conditions) {
      if (condition === '') continue;
      const { found, value } = valueAt(values, path + condition);
      if (found) {
        if (value === true) anyTrue = true;
        else if (value === false) anyFalse = true;
        else warn(`condition path '${condition}' for chart ${r.name} is not a boolean`);
      }
      if (found && value !== null && value !== undefined) break;
    }
    if (anyTrue) enabled[i] = true;
    else if (anyFalse) enabled[i] = false;
  });
}
