/**
 * User values in the release use cases. Merging follows Helm and lives in
 * one place (charts/values.ts): an upgrade's values merge over the
 * release's as Helm's --reuse-values merges them (a null removes what was
 * set before, or, where nothing was, the chart's default), and the values a
 * chart renders with are its defaults coalesced with the user's.
 */
import type { Chart } from '../../gen/hapi/chart/chart.js';
import { coalesceChart, coalesceTables, dumpYaml } from '../charts/index.js';

export type Values = Record<string, unknown>;

/** An upgrade's (or the store's generated) `changes` over `base`: changes win, tables merge, lists are replaced. */
export function mergeOver(base: Readonly<Values>, changes: Readonly<Values>): Values {
  return coalesceTables(changes, base);
}

/** The values the chart renders with (Helm's CoalesceValues): what a resources.yaml is read against. */
export function renderValues(chart: Chart, values: Readonly<Values>): Values {
  return coalesceChart(chart, values);
}

/** YAML for the engine, written so that Go's YAML reads back the same values. */
export function valuesToYaml(values: Values): string {
  return Object.keys(values).length === 0 ? '' : dumpYaml(values);
}
