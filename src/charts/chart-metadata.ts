import semver from 'semver';
import type { Maintainer, Metadata } from '../../gen/hapi/chart/metadata.js';
import { invalidArgument } from '../domain/errors.js';
import { isTable } from './values.js';
import { parseYaml } from './yaml.js';
import { errorText } from '../domain/error-text.js';
import { FieldReader } from './yaml-fields.js';

/** The chart apiVersion Tiller v2 accepts. */
export const CHART_API_VERSION = 'v1';
/** Helm 3 and 4's (dependencies and type in Chart.yaml): only a Helm engine installs these. */
export const CHART_API_VERSION_V2 = 'v2';

/**
 * Parses Chart.yaml into Tiller's Metadata.
 *
 * Field names and types follow Helm 2, which decodes Chart.yaml as JSON into
 * the protobuf struct: keys match the camelCase names (case-insensitively,
 * like Go's JSON decoder), unknown keys are ignored, null means "unset", and
 * a value of the wrong type is an error (e.g. `appVersion: 1.0` is a number,
 * which helm 2 also refuses). On top of what Helm's loader checks (a name,
 * apiVersion v1 or v2) we require what `helm lint` requires: a semver
 * version and an apiVersion, so that bad charts fail here with a clear
 * message rather than later in the engine. The fields of apiVersion v2 that
 * Metadata has no place for (type, dependencies) are left to the raw
 * Chart.yaml, which the loader sends among the chart's files.
 *
 * @param where prefix naming a subchart in error messages
 * @throws AppStoreError InvalidArgument naming the offending field
 */
export function parseChartMetadata(data: Buffer, where = ''): Metadata {
  const file = `${where}Chart.yaml`;
  let doc: unknown;
  try {
    doc = parseYaml(data.toString('utf8'), 'Chart.yaml');
  } catch (err) {
    throw invalidArgument(`${file} is not valid YAML: ${errorText(err)}`);
  }
  if (doc === null || doc === undefined) throw invalidArgument(`${file} is empty`);
  if (!isTable(doc)) throw invalidArgument(`${file} must be a YAML mapping`);

  const fields = new FieldReader(doc, file);
  const metadata: Metadata = {
    name: fields.string('name'),
    home: fields.string('home'),
    sources: fields.strings('sources'),
    version: fields.string('version'),
    description: fields.string('description'),
    keywords: fields.strings('keywords'),
    maintainers: fields.list('maintainers').map((m, i) => maintainer(m, `${file} maintainers[${i}]`)),
    engine: fields.string('engine'),
    icon: fields.string('icon'),
    apiVersion: fields.string('apiVersion'),
    condition: fields.string('condition'),
    tags: fields.string('tags'),
    appVersion: fields.string('appVersion'),
    deprecated: fields.boolean('deprecated'),
    tillerVersion: fields.string('tillerVersion'),
    annotations: fields.stringMap('annotations'),
    kubeVersion: fields.string('kubeVersion'),
  };

  if (metadata.name === '') throw invalidArgument(`${file}: name is required`);
  if (metadata.version === '') throw invalidArgument(`${file}: version is required`);
  if (semver.valid(metadata.version) === null) {
    throw invalidArgument(`${file}: version '${metadata.version}' is not a valid semantic version (e.g. 1.2.3)`);
  }
  if (metadata.apiVersion === '') throw invalidArgument(`${file}: apiVersion is required (use '${CHART_API_VERSION}')`);
  if (metadata.apiVersion !== CHART_API_VERSION && metadata.apiVersion !== CHART_API_VERSION_V2) {
    throw invalidArgument(`${file}: apiVersion '${metadata.apiVersion}' is not a chart apiVersion Helm knows (v1 or v2)`);
  }
  return metadata;
}

function maintainer(value: unknown, label: string): Maintainer {
  if (!isTable(value)) throw invalidArgument(`${label} must be a mapping with name, email and url`);
  const fields = new FieldReader(value, label);
  return { name: fields.string('name'), email: fields.string('email'), url: fields.string('url') };
}
