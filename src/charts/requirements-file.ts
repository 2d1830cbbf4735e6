import type { Chart } from '../../gen/hapi/chart/chart.js';
import { invalidArgument } from '../domain/errors.js';
import { isTable, readValues } from './values.js';
import { FieldReader } from './yaml-fields.js';

/** The file, among a chart's files, that lists its dependencies (Helm 2). */
export const REQUIREMENTS_FILE = 'requirements.yaml';

/** Helm's rule for alias names: they become values keys and release-visible names. */
const ALIAS_PATTERN = /^[a-zA-Z0-9-_]+$/;

/** One import-values item, normalised to the map form. */
export interface ImportValue {
  /** Dotted path in the subchart's values (`exports.data` for the string form). */
  readonly child: string;
  /** Dotted path in the parent's values where it lands (`.` = the root). */
  readonly parent: string;
}

/** One entry of requirements.yaml `dependencies`. */
export interface Requirement {
  readonly name: string;
  readonly version: string;
  readonly repository: string;
  /** Comma-separated dotted paths into the values; the first that is set decides. */
  readonly condition: string;
  readonly tags: readonly string[];
  readonly importValues: readonly ImportValue[];
  /** Empty when the subchart keeps its own name. */
  readonly alias: string;
}

/**
 * Reads a chart's requirements.yaml, or returns undefined when it has none
 * (absent or empty file, as Helm treats both).
 *
 * Helm's CLI refuses an unreadable requirements.yaml before install and
 * upgrade; we refuse it at every level (Helm silently skips a broken one in
 * a subchart), with an InvalidArgument naming the chart and the field.
 * `enabled` is ignored: Helm overwrites it from tags and conditions.
 */
export function readRequirements(chart: Chart): Requirement[] | undefined {
  let file: Buffer | undefined;
  for (const f of chart.files) if (f.typeUrl === REQUIREMENTS_FILE) file = f.value;
  if (file === undefined || file.length === 0) return undefined;

  const label = `${REQUIREMENTS_FILE} of chart '${chart.metadata?.name ?? ''}'`;
  const doc = readValues(file.toString('utf8'), label);
  return new FieldReader(doc, label).list('dependencies').map((entry, i) => requirement(entry, `${label}: dependencies[${i}]`));
}

function requirement(entry: unknown, label: string): Requirement {
  if (!isTable(entry)) throw invalidArgument(`${label} must be a mapping`);
  const fields = new FieldReader(entry, label);
  const alias = fields.string('alias');
  if (alias !== '' && !ALIAS_PATTERN.test(alias)) {
    throw invalidArgument(`${label}: illegal alias name '${alias}' (letters, digits, '-' and '_' only)`);
  }
  return {
    name: fields.string('name'),
    version: fields.string('version'),
    repository: fields.string('repository'),
    condition: fields.string('condition'),
    tags: fields.strings('tags'),
    importValues: fields.list('import-values').map((item, i) => importValue(item, `${label}: import-values[${i}]`)),
    alias,
  };
}

/** `- data` means `{ child: exports.data, parent: . }`; the map form is taken as is. */
function importValue(item: unknown, label: string): ImportValue {
  if (typeof item === 'string') return { child: `exports.${item}`, parent: '.' };
  if (isTable(item)) {
    const fields = new FieldReader(item, label);
    const child = fields.string('child');
    const parent = fields.string('parent');
    if (child !== '' && parent !== '') return { child, parent };
  }
  throw invalidArgument(`${label} must be a string or a mapping with 'child' and 'parent' strings`);
}
