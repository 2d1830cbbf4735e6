/**
 * The files of the App Store's charts that describe a chart to its users:
 * `schema.yaml` (a JSON Schema in YAML for the install form) and
 * `package_versions.json` (`{"packageVersions": {name: version}}`, the
 * software inside the image). They describe; they forbid nothing (values are
 * validated against values.schema.json only). A file that cannot be read is
 * the chart's fault: Unprocessable, naming the file.
 */
import yaml from 'js-yaml';
import { AppStoreError } from '../domain/errors.js';
import type { ChartFileLike } from './resources-file.js';

export const FORM_SCHEMA_FILE = 'schema.yaml';
export const VALUES_SCHEMA_FILE = 'values.schema.json';
export const PACKAGE_VERSIONS_FILE = 'package_versions.json';

/** What the store generates: the user never sets it, so the form does not show it. */
const GENERATED = 'appstore_generated_data';

type Schema = Record<string, unknown>;

/** schema.yaml as JSON, else values.schema.json, without appstore_generated_data; undefined when the chart has neither. */
export function readFormSchema(files: readonly ChartFileLike[], label: string): Schema | undefined {
  const form = fileText(files, FORM_SCHEMA_FILE);
  if (form !== undefined) return withoutGenerated(parseYamlSchema(form, `${FORM_SCHEMA_FILE} of ${label}`));
  const values = fileText(files, VALUES_SCHEMA_FILE);
  return values === undefined ? undefined : withoutGenerated(parseJsonSchema(values, `${VALUES_SCHEMA_FILE} of ${label}`));
}

/** values.schema.json as an object, when the chart has one. */
export function readValuesSchema(files: readonly ChartFileLike[], label: string): Schema | undefined {
  const text = fileText(files, VALUES_SCHEMA_FILE);
  return text === undefined ? undefined : parseJsonSchema(text, `${VALUES_SCHEMA_FILE} of ${label}`);
}

/** package_versions.json's packageVersions, values as text; empty without the file. */
export function readSoftwareVersions(files: readonly ChartFileLike[], label: string): Record<string, string> {
  const text = fileText(files, PACKAGE_VERSIONS_FILE);
  if (text === undefined) return {};
  const what = `${PACKAGE_VERSIONS_FILE} of ${label}`;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new AppStoreError('Unprocessable', `${what} is not valid JSON: ${String(err)}`);
  }
  const versions = isRecord(doc) ? doc.packageVersions : undefined;
  if (versions === undefined || versions === null) return {};
  if (!isRecord(versions)) throw new AppStoreError('Unprocessable', `${what}: packageVersions is not an object`);
  const out: Record<string, string> = {};
  for (const [name, version] of Object.entries(versions)) {
    if (typeof version === 'string' || typeof version === 'number' || typeof version === 'boolean') out[name] = String(version);
  }
  return out;
}

function withoutGenerated(schema: Schema): Schema {
  const properties = schema.properties;
  if (!isRecord(properties) || !(GENERATED in properties)) return schema;
  const rest = Object.fromEntries(Object.entries(properties).filter(([key]) => key !== GENERATED));
  const required = Array.isArray(schema.required) ? schema.required.filter((r) => r !== GENERATED) : undefined;
  return { ...schema, properties: rest, ...(required !== undefined && { required }) };
}

function parseYamlSchema(text: string, what: string): Schema {
  let doc: unknown;
  try {
    doc = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch (err) {
    throw new AppStoreError('Unprocessable', `${what} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isRecord(doc)) throw new AppStoreError('Unprocessable', `${what} is not a mapping`);
  // Through JSON: what the API answers must be JSON (no dates, no undefined).
  return JSON.parse(JSON.stringify(doc)) as Schema;
}

function parseJsonSchema(text: string, what: string): Schema {
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (err) {
    throw new AppStoreError('Unprocessable', `${what} is not valid JSON: ${String(err)}`);
  }
  if (!isRecord(schema)) throw new AppStoreError('Unprocessable', `${what} is not a JSON object`);
  return schema;
}

function fileText(files: readonly ChartFileLike[], path: string): string | undefined {
  const file = files.find((f) => f.typeUrl === path);
  return file === undefined ? undefined : Buffer.from(file.value).toString('utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
