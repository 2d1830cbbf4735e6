import { invalidArgument } from '../domain/errors.js';
import { isTable, setKey, type Values } from './values.js';

/**
 * Typed reads from a parsed YAML mapping, with the rules Go's JSON decoder
 * applies when Helm decodes Chart.yaml or requirements.yaml into a struct:
 * the exact key first, else a case-insensitive match; null or absent means
 * the zero value; a value of another type is an error (here an
 * InvalidArgument naming the file and field).
 */
export class FieldReader {
  /**
   * @param table the mapping to read
   * @param label names the mapping in error messages (e.g. `Chart.yaml`)
   */
  constructor(
    private readonly table: Values,
    private readonly label: string,
  ) {}

  string(key: string): string {
    const value = this.get(key);
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') throw this.wrongType(key, 'a string (quote it)', value);
    return value;
  }

  boolean(key: string): boolean {
    const value = this.get(key);
    if (value === undefined || value === null) return false;
    if (typeof value !== 'boolean') throw this.wrongType(key, 'true or false', value);
    return value;
  }

  list(key: string): unknown[] {
    const value = this.get(key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw this.wrongType(key, 'a list', value);
    return value.filter((item) => item !== null);
  }

  strings(key: string): string[] {
    return this.list(key).map((item) => {
      if (typeof item !== 'string') throw this.wrongType(key, 'a list of strings', item);
      return item;
    });
  }

  stringMap(key: string): Record<string, string> {
    const value = this.get(key);
    if (value === undefined || value === null) return {};
    if (!isTable(value)) throw this.wrongType(key, 'a mapping of strings', value);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== 'string') throw this.wrongType(`${key}.${k}`, 'a string (quote it)', v);
      setKey(out, k, v);
    }
    return out;
  }

  /** The raw value: exact key first, then a case-insensitive match, as encoding/json does. */
  get(key: string): unknown {
    if (Object.hasOwn(this.table, key)) return this.table[key];
    const lower = key.toLowerCase();
    const found = Object.keys(this.table).find((k) => k.toLowerCase() === lower);
    return found === undefined ? undefined : this.table[found];
  }

  private wrongType(key: string, expected: string, value: unknown) {
    const actual = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
    return invalidArgument(`${this.label}: field '${key}' must be ${expected}, got ${actual}`);
  }
}
