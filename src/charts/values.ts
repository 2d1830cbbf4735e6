import type { Chart } from '../../gen/hapi/chart/chart.js';
import { invalidArgument } from '../domain/errors.js';
import { parseYaml } from './yaml.js';
import { errorText } from '../domain/error-text.js';

/** A YAML mapping of chart values ("a table" in Helm's words). */
export type Values = Record<string, unknown>;

/** The values key every chart and subchart shares. */
export const GLOBAL_KEY = 'global';

/** Whether `value` is a mapping (not a list, not a scalar, not null). */
export function isTable(value: unknown): value is Values {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A fresh mapping; without a prototype, so that a `__proto__` key is just a key. */
export function newTable(): Values {
  return Object.create(null) as Values;
}

/** Sets a key without ever touching a prototype (keys come from untrusted YAML). */
export function setKey(table: Values, key: string, value: unknown): void {
  Object.defineProperty(table, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Parses a values document; an empty document is an empty table, anything
 * but a mapping is refused (as Helm's ReadValues does).
 *
 * @param label names the document in error messages
 */
export function readValues(raw: string, label: string): Values {
  let doc: unknown;
  try {
    doc = parseYaml(raw, label);
  } catch (err) {
    throw invalidArgument(`${label} is not valid YAML: ${errorText(err)}`);
  }
  if (doc === null || doc === undefined) return newTable();
  if (!isTable(doc)) throw invalidArgument(`${label} must be a YAML mapping`);
  return doc;
}

/**
 * Deep copy of caller-supplied values, refusing what YAML cannot express
 * (functions, dates, class instances...). Undefined properties are dropped,
 * as JSON would.
 */
export function cloneValues(value: unknown, path = 'values'): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value)) return value.map((item, i) => cloneValues(item, `${path}[${i}]`));
  if (isTable(value)) {
    const out = newTable();
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) setKey(out, key, cloneValues(item, `${path}.${key}`));
    }
    return out;
  }
  throw invalidArgument(`${path} is not plain data (got ${typeof value})`);
}

/**
 * Merges `src` under `dst` as Helm's CoalesceTables does: `dst` wins for
 * scalars and lists, tables merge recursively, and a null in `dst` deletes
 * the key when `src` has a value for it (a null with nothing to delete stays
 * null). Neither input is modified. This is also how an upgrade's values
 * merge over the release's earlier ones (Helm's --reuse-values).
 */
export function coalesceTables(dst: Values, src: Values): Values {
  return coalesceInto(copyTable(dst), copyTable(src), false);
}

/**
 * Helm's CoalesceValues: `values` (the user's) over the chart's values.yaml,
 * then each subchart's values.yaml under the subchart's name, with the
 * parent's `global` pushed down; a user's null deletes the default it
 * names, in subchart scopes too. These are the values the chart renders
 * with. `values` is not modified.
 */
export function coalesceChart(chart: Chart, values: Values): Values {
  return coalesce(chart, copyTable(values));
}

function coalesce(chart: Chart, dest: Values): Values {
  coalesceDefaults(chart, dest);
  for (const sub of chart.dependencies) {
    const name = sub.metadata?.name ?? '';
    if (!Object.hasOwn(dest, name)) setKey(dest, name, newTable());
    const own = dest[name];
    if (!isTable(own)) throw invalidArgument(`values for subchart '${name}' must be a mapping, got ${describe(own)}`);
    pushGlobals(own, dest);
    setKey(dest, name, coalesce(sub, own));
  }
  return dest;
}

/**
 * The chart's defaults under `dest` (Helm's coalesceValues). Nulls among the
 * defaults are dropped; a table the chart passes to one of its subcharts is
 * merged keeping the user's nulls, so that they reach the subchart's own
 * defaults and delete those.
 */
function coalesceDefaults(chart: Chart, dest: Values): void {
  const raw = chart.values?.raw ?? '';
  if (raw === '') return;
  const defaults = readValues(raw, `values.yaml of chart '${chart.metadata?.name ?? ''}'`);
  for (const [key, fallback] of Object.entries(defaults)) {
    if (!Object.hasOwn(dest, key)) {
      if (fallback === null) continue;
      setKey(dest, key, isTable(fallback) ? withoutNulls(fallback) : fallback);
      continue;
    }
    const value = dest[key];
    if (value === null) {
      delete dest[key];
    } else if (isTable(value) && isTable(fallback)) {
      const forSubchart = chart.dependencies.some((d) => d.metadata?.name === key);
      coalesceInto(value, forSubchart ? fallback : withoutNulls(fallback), forSubchart);
    }
  }
}

/**
 * Helm's coalesceTablesFullKey, on tables this module owns: `src` under
 * `dst`, in place. With `keepNulls` (a merge), a null in `dst` stays.
 */
function coalesceInto(dst: Values, src: Values, keepNulls: boolean): Values {
  const srcHasValue = new Set(Object.keys(src).filter((key) => src[key] !== null));
  for (const [key, value] of Object.entries(src)) {
    if (!Object.hasOwn(dst, key)) {
      setKey(dst, key, value);
      continue;
    }
    const current = dst[key];
    if (current === null) {
      if (!keepNulls && srcHasValue.has(key)) delete dst[key];
    } else if (isTable(value) && isTable(current)) {
      coalesceInto(current, value, keepNulls);
    }
  }
  return dst;
}

/**
 * Copies the parent's `global` table into a subchart's values (Helm's
 * coalesceGlobals): the parent's globals win, tables among them merge. A
 * `global` that is not a table is left alone (Helm warns and skips it).
 */
function pushGlobals(child: Values, parent: Values): void {
  const childGlobals = Object.hasOwn(child, GLOBAL_KEY) ? child[GLOBAL_KEY] : newTable();
  const parentGlobals = Object.hasOwn(parent, GLOBAL_KEY) ? parent[GLOBAL_KEY] : newTable();
  if (!isTable(childGlobals) || !isTable(parentGlobals)) return;
  for (const [key, value] of Object.entries(parentGlobals)) {
    const current = Object.hasOwn(childGlobals, key) ? childGlobals[key] : undefined;
    if (isTable(value)) {
      if (current === undefined) setKey(childGlobals, key, copyTable(value));
      else if (isTable(current)) setKey(childGlobals, key, coalesceInto(copyTable(value), current, true));
    } else if (!isTable(current)) {
      setKey(childGlobals, key, value);
    }
  }
  setKey(child, GLOBAL_KEY, childGlobals);
}

function withoutNulls(table: Values): Values {
  for (const [key, value] of Object.entries(table)) {
    if (value === null) delete table[key];
    else if (isTable(value)) withoutNulls(value);
  }
  return table;
}

function copyTable(table: Values): Values {
  return cloneValues(table) as Values;
}

/** The table at a dotted path (`a.b.c`), or undefined if any step is missing or not a table. */
export function tableAt(values: Values, dotted: string): Values | undefined {
  let current: Values = values;
  for (const key of dotted.split('.')) {
    const next = Object.hasOwn(current, key) ? current[key] : undefined;
    if (!isTable(next)) return undefined;
    current = next;
  }
  return current;
}

/**
 * The non-table value at a dotted path, as Helm's PathValue: `found` is
 * false when the path does not exist or ends at a table. A present null is
 * found, with value null.
 */
export function valueAt(values: Values, dotted: string): { found: boolean; value?: unknown } {
  if (dotted === '') return { found: false };
  const cut = dotted.lastIndexOf('.');
  const parent = cut < 0 ? values : tableAt(values, dotted.slice(0, cut));
  const key = dotted.slice(cut + 1);
  if (parent === undefined || !Object.hasOwn(parent, key) || isTable(parent[key])) return { found: false };
  return { found: true, value: parent[key] };
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
}
