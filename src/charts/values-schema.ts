/**
 * values.schema.json, checked before the engine is called (Tiller v2.17 has
 * no schema support; Helm 4 checks the same again): the values the chart
 * renders with — its defaults and its subcharts' coalesced with the user's,
 * as Helm coalesces them (values.ts) — are validated against the chart's
 * schema and each subchart's against its own, as Helm's
 * ValidateAgainstSchema does, and every failing field is reported with its
 * path from the top. The file is read by form-files.ts and compiled here, so
 * that the catalog's version detail and an install word a broken file alike.
 */
import { createHash } from 'node:crypto';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LRUCache } from 'lru-cache';
import type { Chart } from '../../gen/hapi/chart/chart.js';
import { AppStoreError } from '../domain/errors.js';
import { errorText } from '../domain/error-text.js';
import { readValuesSchema, VALUES_SCHEMA_FILE } from './form-files.js';
import { coalesceChart, isTable, type Values } from './values.js';

// Keyed by the schema's text. One Ajv per schema: versions of a chart often
// share a $id with different content, which a shared Ajv would refuse.
const compiled = new LRUCache<string, ValidateFunction>({ max: 200 });

export interface SchemaField {
  readonly path: string;
  readonly message: string;
}

/**
 * The chart's values.schema.json, parsed and compiled; undefined when it has
 * none. Unprocessable, naming the file, when it is not JSON, not an object or
 * not a JSON Schema.
 */
export function compileValuesSchema(files: Chart['files'], label: string): ValidateFunction | undefined {
  const schema = readValuesSchema(files, label);
  if (schema === undefined) return undefined;
  const key = createHash('sha256').update(JSON.stringify(schema)).digest('hex');
  let validate = compiled.get(key);
  if (!validate) {
    try {
      validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    } catch (err) {
      throw new AppStoreError('Unprocessable', `${VALUES_SCHEMA_FILE} of ${label} is not a valid JSON Schema: ${errorText(err)}`);
    }
    compiled.set(key, validate);
  }
  return validate;
}

/**
 * Unprocessable, listing every failing field, unless the values the chart
 * renders with (`values` are the user's) meet its schemas.
 *
 * @param label names the chart in messages, e.g. `sample/hello 1.0.0`
 */
export function validateChartValues(chart: Chart, values: Values, label: string): void {
  const fields = schemaFailures(chart, coalesceChart(chart, values), label, '');
  if (fields.length === 0) return;
  throw new AppStoreError(
    'Unprocessable',
    `values do not match the ${VALUES_SCHEMA_FILE} of ${label}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
    { fields },
  );
}

function schemaFailures(chart: Chart, values: Values, label: string, prefix: string): SchemaField[] {
  const validate = compileValuesSchema(chart.files, prefix === '' ? label : `${label} (subchart ${prefix.slice(0, -1)})`);
  const fields = validate && !validate(values) ? (validate.errors ?? []).map((e) => toField(e, prefix)) : [];
  for (const sub of chart.dependencies) {
    const name = sub.metadata?.name ?? '';
    const own = Object.hasOwn(values, name) ? values[name] : undefined;
    if (own === undefined || own === null) continue;
    if (!isTable(own)) fields.push({ path: `${prefix}${name}`, message: 'must be an object (the values of a subchart)' });
    else fields.push(...schemaFailures(sub, own, label, `${prefix}${name}.`));
  }
  return fields;
}

function toField(error: ErrorObject, prefix: string): SchemaField {
  const base = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const missing = error.keyword === 'required' ? String((error.params as { missingProperty?: unknown }).missingProperty ?? '') : '';
  const path = `${prefix}${[base, missing].filter(Boolean).join('.')}` || '(root)';
  return { path: path.endsWith('.') ? path.slice(0, -1) : path, message: error.message ?? 'is invalid' };
}
