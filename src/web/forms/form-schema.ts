/**
 * The install form's JSON Schema, from what the chart offers, best first: the
 * API's formSchema (schema.yaml, else values.schema.json), else one inferred
 * from values.yaml's defaults. The form only describes: the store validates
 * installs against values.schema.json itself.
 */
import { load } from 'js-yaml';

export type JsonSchema = Record<string, unknown>;
export type Values = Record<string, unknown>;

export interface FormSource {
  formSchema?: Record<string, unknown> | undefined;
  valuesYaml: string;
}

export interface FormModel {
  schema: JsonSchema;
  /** Where the schema came from, said to the user. */
  origin: 'chart schema' | 'inferred from values.yaml';
  defaults: Values;
}

/** Values the App Store fills in itself; never asked in a form. */
const GENERATED = 'appstore_generated_data';

export function formModel(source: FormSource): FormModel {
  const defaults = parseValues(source.valuesYaml);
  const schema = source.formSchema && Object.keys(source.formSchema).length > 0 ? tidy(source.formSchema) : undefined;
  return schema
    ? { schema, origin: 'chart schema', defaults }
    : { schema: inferSchema(defaults), origin: 'inferred from values.yaml', defaults };
}

export function parseValues(yaml: string): Values {
  const parsed = load(yaml);
  if (!isObject(parsed)) return {};
  return without(parsed, [GENERATED]);
}

/** A schema that describes the defaults: types, titles from keys, defaults; nulls left out (nothing to edit). */
export function inferSchema(value: unknown, key?: string): JsonSchema {
  const title = key === undefined ? {} : { title: key };
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    return { ...title, type: 'array', items: first === undefined ? { type: 'string' } : inferSchema(first) };
  }
  if (isObject(value)) {
    const properties = Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) => v !== null && k !== GENERATED)
        .map(([k, v]) => [k, inferSchema(v, k)]),
    );
    return { ...title, type: 'object', properties };
  }
  if (typeof value === 'boolean') return { ...title, type: 'boolean' };
  if (typeof value === 'number') return { ...title, type: Number.isInteger(value) ? 'integer' : 'number' };
  return { ...title, type: 'string' };
}

/**
 * The chart's schema, made fit for a form: without $schema/$id (the form compiles it more than once), without
 * the App Store's own section, without open-ended additionalProperties (the form would offer to add arbitrary
 * keys), and without open objects that have no properties (resources, arbitrary maps: they would be empty
 * boxes). The YAML view edits all of those.
 */
function tidy(schema: JsonSchema): JsonSchema {
  const rest = without(schema, ['$schema', '$id', 'additionalProperties']);
  if (!isObject(rest.properties)) return rest;
  const properties = Object.entries(without(rest.properties, [GENERATED]))
    .filter(([, sub]) => !(isObject(sub) && sub.type === 'object' && !isObject(sub.properties)))
    .map(([key, sub]) => [key, isObject(sub) && sub.type === 'object' ? tidy(sub) : sub]);
  return { ...rest, properties: Object.fromEntries(properties) };
}

function without(object: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}

/** The values that differ from the chart's defaults: what the release should carry, so upgrades get new defaults. */
export function changedValues(defaults: unknown, current: unknown): Values {
  const out: Values = {};
  if (!isObject(current)) return out;
  for (const [key, value] of Object.entries(current)) {
    const before = isObject(defaults) ? defaults[key] : undefined;
    if (isObject(value) && isObject(before)) {
      const nested = changedValues(before, value);
      if (Object.keys(nested).length > 0) out[key] = nested;
    } else if (value !== undefined && JSON.stringify(value) !== JSON.stringify(before)) {
      out[key] = value;
    }
  }
  return out;
}

/** Deep merge of values over defaults (objects merged, everything else replaced), as Helm coalesces. */
export function mergeValues(defaults: Values, values: Values): Values {
  const out: Values = { ...defaults };
  for (const [key, value] of Object.entries(values)) {
    const before = out[key];
    out[key] = isObject(value) && isObject(before) ? mergeValues(before, value) : value;
  }
  return out;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
