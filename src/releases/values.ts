/**
 * User values: deep merging for upgrades, YAML for Tiller (written so that
 * Go's YAML reads back the same values), and the chart's defaults for schema
 * validation.
 */
import type { Chart } from '../../gen/hapi/chart/chart.js';
import { dumpYaml, readValues } from '../charts/index.js';

export type Values = Record<string, unknown>;

const isObject = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Overrides win; objects merge key by key; arrays and scalars are replaced. */
export function mergeValues(base: Values, overrides: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? mergeValues(current, value) : value;
  }
  return out;
}

export function valuesToYaml(values: Values): string {
  return Object.keys(values).length === 0 ? '' : dumpYaml(values);
}

/** The chart's values.yaml as a mapping. */
export function chartDefaults(chart: Pick<Chart, 'values' | 'metadata'>): Values {
  return readValues(chart.values?.raw ?? '', `${chart.metadata?.name ?? 'chart'} values.yaml`);
}
