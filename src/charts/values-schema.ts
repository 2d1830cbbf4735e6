/**
 * Values are checked against the chart's values.schema.json before Tiller is
 * called (Helm 2 itself has no schema support): the chart's defaults merged
 * with the user's values are validated, as Helm 3 does, and every failing
 * field is reported with its path.
 */
import { createHash } from 'node:crypto';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LRUCache } from 'lru-cache';
import type { Chart } from '../../gen/hapi/chart/chart.js';
import { AppStoreError } from '../domain/errors.js';

// Keyed by the schema's text. One Ajv per schema: versions of a chart often
// share a $id with different content, which a shared Ajv would refuse.
const compiled = new LRUCache<string, ValidateFunction>({ max: 200 });

/** values.schema.json of a chart, parsed; undefined when it has none. */
export function chartValuesSchema(chart: Chart): Record<string, unknown> | undefined {
  const file = chart.files.find((f) => f.typeUrl === 'values.schema.json');
  if (!file) return undefined;
  try {
    const schema: unknown = JSON.parse(Buffer.from(file.value).toString('utf8'));
    if (typeof schema === 'object' && schema !== null && !Array.isArray(schema)) return schema as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new AppStoreError('Unprocessable', `chart ${chart.metadata?.name ?? ''}: values.schema.json is not a JSON object`);
}

export function validateValues(schema: Record<string, unknown>, values: unknown, chartName: string): void {
  const key = createHash('sha256').update(JSON.stringify(schema)).digest('hex');
  let validate = compiled.get(key);
  if (!validate) {
    try {
      validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    } catch (err) {
      throw new AppStoreError('Unprocessable', `chart ${chartName}: values.schema.json is not a valid JSON Schema: ${(err as Error).message}`);
    }
    compiled.set(key, validate);
  }
  if (validate(values)) return;
  const fields = (validate.errors ?? []).map(toField);
  throw new AppStoreError(
    'Unprocessable',
    `values do not match the values.schema.json of ${chartName}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
    { fields },
  );
}

function toField(error: ErrorObject): { path: string; message: string } {
  const base = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const missing = error.keyword === 'required' ? String((error.params as { missingProperty?: unknown }).missingProperty ?? '') : '';
  const path = [base, missing].filter(Boolean).join('.') || '(root)';
  return { path, message: error.message ?? 'is invalid' };
}
