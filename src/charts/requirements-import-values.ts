import type { Chart } from '../../gen/hapi/chart/chart.js';
import { readRequirements } from './requirements-file.js';
import type { WarningSink } from './requirements-enabled.js';
import { coalesceChart, coalesceTables, newTable, setKey, tableAt, type Values } from './values.js';
import { dumpYaml } from './yaml.js';

/**
 * Helm 2's ProcessRequirementsImportValues, applied in place to a chart we
 * own: every chart that has subcharts, deepest first, gets its values.yaml
 * rewritten so that Tiller sees the imported values.
 *
 * For each enabled dependency with `import-values`, the table at
 * `<subchart>.<child>` in the chart's coalesced defaults (user values play
 * no part, as in Helm) is placed at `<parent>` (`.` = the root); the string
 * form `- data` stands for `child: exports.data, parent: .`. Imported values
 * win over the chart's own defaults, earlier imports over later ones, as in
 * Helm 2. The rewritten values are the full coalesced tree (the chart's
 * defaults plus each subchart's under its name), which is also what Helm 2
 * sends for a chart with a requirements.yaml.
 */
export function applyImportValues(chart: Chart, warn: WarningSink): void {
  const parents = chartsWithSubcharts(chart, [chart]);
  for (let i = parents.length - 1; i >= 0; i--) {
    const parent = parents[i];
    if (parent !== undefined) importInto(parent, warn);
  }
}

/** The chart, then every descendant that has subcharts, parents before children. */
function chartsWithSubcharts(chart: Chart, out: Chart[]): Chart[] {
  for (const sub of chart.dependencies) {
    if (sub.dependencies.length > 0) {
      out.push(sub);
      chartsWithSubcharts(sub, out);
    }
  }
  return out;
}

function importInto(chart: Chart, warn: WarningSink): void {
  const requirements = readRequirements(chart);
  if (requirements === undefined) return;
  const defaults = coalesceChart(chart, newTable());
  let imported = newTable();
  for (const r of requirements) {
    let name: string | undefined;
    for (const d of chart.dependencies) {
      if (d.metadata?.name === r.name) name ??= r.name;
      if (r.alias !== '' && d.metadata?.name === r.alias) name = r.alias;
    }
    if (name === undefined) continue; // not present, or disabled
    for (const { child, parent } of r.importValues) {
      const table = tableAt(defaults, `${name}.${child}`);
      if (table === undefined) {
        warn(`import-values: chart ${chart.metadata?.name ?? ''} has no table '${name}.${child}' to import`);
        continue;
      }
      imported = coalesceTables(imported, nestUnder(parent, table));
    }
  }
  chart.values = { raw: dumpYaml(coalesceTables(imported, defaults)), values: {} };
}

/** `a.b` + data → `{ a: { b: data } }`; `.` is the root itself. */
function nestUnder(path: string, data: Values): Values {
  if (path === '.') return data;
  let out = data;
  for (const key of path.split('.').reverse()) {
    const level = newTable();
    setKey(level, key, out);
    out = level;
  }
  return out;
}
