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
 * Merges `src` under `dst`: `dst` wins for scalars and lists, tables are
 * merged recursively, and a null in `dst` deletes the key (Helm's way of
 * letting a user remove a default). Neither input is modified.
 */
export function coalesceTables(dst: Values, src: Values): Values {
  const out = newTable();
  for (const [key, srcValue] of Object.entries(src)) {
    if (!Object.hasOwn(dst, key)) {
      setKey(out, key, srcValue);
      continue;
    }
    const dstValue = dst[key];
    if (dstValue === null) continue;
    setKey(out, key, isTable(dstValue) && isTable(srcValue) ? coalesceTables(dstValue, srcValue) : dstValue);
  }
  for (const [key, dstValue] of Object.entries(dst)) {
    if (dstValue !== null && !Object.hasOwn(out, key)) setKey(out, key, dstValue);
  }
  return out;
}

/**
 * Helm's coalesce(): `dest` (values from above: the user's, or the parent's
 * for a subchart) over the chart's values.yaml, then each subchart's values
 * under the subchart's name, with the parent's `global` pushed down.
 * `dest` is consumed: pass a copy if you still need it.
 */
export function coalesceChart(chart: Chart, dest: Values): Values {
  const name = chart.metadata?.name ?? '';
  const raw = chart.values?.raw ?? '';
  const merged = raw === '' ? dest : coalesceTables(dest, readValues(raw, `values.yaml of chart '${name}'`));
  return coalesceDependencies(chart, merged);
}

function coalesceDependencies(chart: Chart, dest: Values): Values {
  for (const sub of chart.dependencies) {
    const name = sub.metadata?.name ?? '';
    if (!Object.hasOwn(dest, name)) setKey(dest, name, newTable());
    const own = dest[name];
    if (!isTable(own)) {
      throw invalidArgument(`values for subchart '${name}' must be a mapping, got ${describe(own)}`);
    }
    setKey(dest, name, coalesceChart(sub, withGlobals(own, dest)));
  }
  return dest;
}

/**
 * Copies the parent's `global` table into a subchart's values; the
 * parent's globals win over the subchart's own. A `global` that is not a
 * table is left alone (Helm warns and skips it).
 */
function withGlobals(child: Values, parent: Values): Values {
  const childGlobals = Object.hasOwn(child, GLOBAL_KEY) ? child[GLOBAL_KEY] : newTable();
  const parentGlobals = Object.hasOwn(parent, GLOBAL_KEY) ? parent[GLOBAL_KEY] : newTable();
  if (!isTable(childGlobals) || !isTable(parentGlobals)) return child;
  const out = newTable();
  for (const [key, value] of Object.entries(child)) setKey(out, key, value);
  setKey(out, GLOBAL_KEY, coalesceTables(parentGlobals, childGlobals));
  return out;
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
