import semver from 'semver';
import {
  compileValuesSchema,
  describeStandards,
  loadChartArchive,
  readFormSchema,
  readResourcesFile,
  readSoftwareVersions,
  readValuesSchema,
} from '../charts/index.js';
import { AppStoreError } from '../domain/errors.js';
import type { PackageRecord, VersionRecord } from './package-model.js';
import type { ChartMetadata, PackageVersionDetail } from './types.js';

/** Chart.yaml as the chart loader gives it (Tiller's Metadata; gen/ is the charts room's to import). */
type Metadata = NonNullable<Awaited<ReturnType<typeof loadChartArchive>>['metadata']>;

/** README names Helm tools look for, best first (compared case-insensitively). */
const README_NAMES = ['readme.md', 'readme.txt', 'readme'];

/**
 * A version's detail read from its archive, with the chart loader the
 * installs use: a version whose archive the store could not install is
 * reported here already, not only when someone tries.
 *
 * The App Store's own chart files are read here too: schema.yaml (the
 * install form), package_versions.json and resources.yaml (the declared
 * client and standards), so that a declaration the store would refuse at
 * install is reported with the version.
 *
 * @throws AppStoreError Unprocessable when the archive is not a loadable chart,
 *   holds another chart or version than the index says, or has a
 *   values.schema.json, schema.yaml, package_versions.json or resources.yaml
 *   that cannot be read
 */
export async function readVersionDetail(
  archive: Buffer,
  record: PackageRecord,
  version: VersionRecord,
): Promise<PackageVersionDetail> {
  const label = `${record.package.id} ${version.version.version}`;
  const chart = await loadChartArchive(archive).catch((err: unknown) => {
    const cause = AppStoreError.from(err);
    throw new AppStoreError('Unprocessable', `the archive of ${label} is not a valid chart: ${cause.message}`, {
      ...cause.details,
    });
  });
  const metadata = chart.metadata;
  if (metadata === undefined) throw new AppStoreError('Unprocessable', `the archive of ${label} has no Chart.yaml`);
  const sameVersion = semver.valid(metadata.version) !== null && semver.eq(metadata.version, version.version.version);
  if (metadata.name !== record.package.chart.name || !sameVersion) {
    throw new AppStoreError(
      'Unprocessable',
      `the archive of ${label} holds ${metadata.name} ${metadata.version}, not what the repository index says`,
    );
  }
  const files = new Map(chart.files.map((f) => [f.typeUrl, f.value]));
  const readme = README_NAMES.map((n) => [...files.keys()].find((k) => k.toLowerCase() === n)).find(Boolean);
  const valuesSchema = readValuesSchema(chart.files, label);
  // Compiled as an install would: a schema no install could use is reported with the version.
  compileValuesSchema(chart.files, label);
  const formSchema = readFormSchema(chart.files, label);
  const resources = readResourcesFile(chart.files);
  return {
    id: record.package.id,
    version: version.version,
    chart: chartMetadata(metadata),
    readme: readme === undefined ? '' : Buffer.from(files.get(readme) ?? []).toString('utf8'),
    valuesYaml: chart.values?.raw ?? '',
    ...(valuesSchema !== undefined && { valuesSchema }),
    ...(formSchema !== undefined && { formSchema }),
    softwareVersions: readSoftwareVersions(chart.files, label),
    ...(resources?.client !== undefined && { client: resources.client }),
    standards: describeStandards(resources?.standards ?? []),
  };
}

function chartMetadata(m: Metadata): ChartMetadata {
  return {
    apiVersion: m.apiVersion,
    name: m.name,
    version: m.version,
    appVersion: m.appVersion,
    description: m.description,
    keywords: m.keywords,
    home: m.home,
    sources: m.sources,
    maintainers: m.maintainers.map(({ name, email, url }) => ({ name, email, url })),
    icon: m.icon,
    deprecated: m.deprecated,
  };
}
