/**
 * The JSON Schemas of the catalog's answers (packages, their versions, what a
 * version's archive says, the repositories), part of schemas.ts' response
 * schemas: closed (additionalProperties: false) like the others.
 */
import { ref, text, texts } from './schema-parts.js';

export const catalogSchemas = {
  Maintainer: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'email', 'url'],
    properties: { name: text, email: text, url: text },
  },
  ChartMetadata: {
    type: 'object',
    description: 'Chart.yaml of a version',
    additionalProperties: false,
    required: ['apiVersion', 'name', 'version', 'appVersion', 'description', 'keywords', 'home', 'sources', 'maintainers', 'icon', 'deprecated'],
    properties: {
      apiVersion: text,
      name: text,
      version: text,
      appVersion: text,
      description: text,
      keywords: texts,
      home: text,
      sources: texts,
      maintainers: { type: 'array', items: ref('Maintainer') },
      icon: text,
      deprecated: { type: 'boolean' },
    },
  },
  PackageVersion: {
    type: 'object',
    additionalProperties: false,
    required: ['version', 'appVersion', 'created', 'digest', 'prerelease', 'development'],
    properties: {
      version: text,
      appVersion: text,
      created: { type: 'string', description: 'RFC 3339, from the repository index; empty when the index has none' },
      digest: { type: 'string', description: 'sha256 of the archive, hex, from the repository index' },
      prerelease: { type: 'boolean', description: 'A semver prerelease: only development releases may install it' },
      development: { type: 'boolean', description: 'From a development repository: only development releases may install it' },
    },
  },
  Package: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'repo', 'chart', 'versions'],
    properties: {
      id: { type: 'string', pattern: '^[^/]+/[^/]+$', description: '<repo>/<chart name>', examples: ['sample/hello'] },
      repo: text,
      chart: { ...ref('ChartMetadata'), description: 'Chart.yaml of the newest stable version (the newest version if none is stable)' },
      versions: { type: 'array', items: ref('PackageVersion'), description: 'Newest first, by semver' },
    },
  },
  PackageVersionDetail: {
    type: 'object',
    description: "What a version's archive says about it",
    additionalProperties: false,
    required: ['id', 'version', 'chart', 'readme', 'valuesYaml', 'softwareVersions', 'standards'],
    properties: {
      id: text,
      version: ref('PackageVersion'),
      chart: ref('ChartMetadata'),
      readme: text,
      valuesYaml: { type: 'string', description: 'The chart’s values.yaml' },
      valuesSchema: { type: 'object', description: 'values.schema.json, when the chart has one' },
      clusterScope: ref('ClusterScope'),
      formSchema: {
        type: 'object',
        description:
          'The install form’s schema: schema.yaml as JSON (values.schema.json when the chart has no schema.yaml), without appstore_generated_data. It describes; installs are validated against values.schema.json only.',
      },
      softwareVersions: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'package_versions.json: the software versions inside the chart’s image (name → version); empty without the file',
      },
      client: ref('DeclaredClient'),
      standards: { type: 'array', items: ref('ChartStandard'), description: 'resources.yaml appstore.Options.Standards' },
    },
  },
  DeclaredClient: {
    type: 'object',
    description:
      'The OAuth/OIDC client the chart’s resources.yaml declares: its dataporten and aai sections make one client per release, their union, passed to the chart as appstore_generated_data.dataporten and .aai',
    additionalProperties: false,
    required: ['sections', 'scopes', 'redirectUris', 'provisioned', 'detail'],
    properties: {
      sections: { type: 'array', items: { type: 'string', enum: ['dataporten', 'aai'] } },
      scopes: { type: 'array', items: text },
      redirectUris: {
        type: 'array',
        items: text,
        description: 'As written: relative ones are relative to https://<ingress.host>; {{ .Values.x }} references are filled in at install',
      },
      provisioned: { type: 'boolean', description: 'Whether this store makes the client at install; without a provisioner the chart installs with its defaults' },
      detail: text,
    },
  },
  ChartStandard: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'known', 'description'],
    properties: {
      name: text,
      known: { type: 'boolean', description: 'An unknown standard is shown and does not block an install' },
      description: text,
    },
  },
  ClusterScope: {
    type: 'object',
    description:
      'What the version creates outside any namespace when rendered with its default values. A release of it installs only where the operator allowed cluster-scoped objects for its repository or chart (allowClusterScoped).',
    additionalProperties: false,
    required: ['rendered', 'detail', 'objects', 'allowed'],
    properties: {
      rendered: { type: 'boolean', description: 'False when the chart does not render with its defaults alone; detail says why' },
      detail: text,
      objects: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'name', 'served'],
          properties: {
            kind: text,
            name: text,
            served: { type: 'boolean', description: 'False for a kind the cluster does not serve: its scope cannot be known' },
          },
        },
      },
      allowed: { type: 'boolean', description: 'Whether the operator allowed cluster-scoped objects for this chart' },
    },
  },
  Repository: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'url', 'kind', 'development', 'loaded', 'failing', 'packages', 'skippedEntries'],
    properties: {
      name: { type: 'string' },
      url: { type: 'string', description: 'As configured: http(s) for an index.yaml repository, oci:// or oci+http:// for a registry' },
      kind: { type: 'string', enum: ['http', 'oci'] },
      development: { type: 'boolean' },
      loaded: { type: 'boolean', description: 'Whether a list of its packages has loaded (and is served)' },
      failing: { type: 'boolean', description: 'Whether its latest refresh failed: its last good list is served, stale' },
      lastAttemptAt: { type: 'string', description: 'RFC 3339' },
      lastSuccessAt: { type: 'string', description: 'RFC 3339: the latest refresh that loaded or confirmed the list' },
      lastError: { type: 'string', description: 'Why the latest refresh failed (never the credentials)' },
      packages: { type: 'integer', minimum: 0 },
      skippedEntries: { type: 'integer', minimum: 0, description: 'Versions left out as malformed' },
    },
  },
} as const;
