/**
 * Charts: from a chart archive (or an unpacked chart) to the hapi.chart.Chart
 * that Tiller installs, following Helm 2's loader, .helmignore and
 * requirements rules.
 */
export { readChartArchive } from './archive.js';
export type { ChartFile } from './chart-files.js';
export { HelmIgnore, HELMIGNORE } from './helmignore.js';
export { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from './limits.js';
export { loadChartArchive, loadChartFiles, type LoadChartFilesOptions } from './load-chart.js';
export { missingDependencies, processRequirements, type ProcessRequirementsOptions } from './requirements.js';
export { readRequirements, type ImportValue, type Requirement } from './requirements-file.js';
export type { Values } from './values.js';
export { coalesceChart, coalesceTables, readValues } from './values.js';
export { compileValuesSchema, validateChartValues, type SchemaField } from './values-schema.js';
export { dumpYaml } from './yaml.js';
export {
  CLIENT_SECTIONS,
  readClientDeclaration,
  readResourcesFile,
  RESOURCES_FILE,
  type ChartFileLike,
  type ClientDeclaration,
  type ClientSection,
  type ResourcesDeclaration,
} from './resources-file.js';
export { FORM_SCHEMA_FILE, PACKAGE_VERSIONS_FILE, readFormSchema, readSoftwareVersions, readValuesSchema } from './form-files.js';
export { describeStandards, KNOWN_STANDARDS, type ChartStandard } from './standards.js';
