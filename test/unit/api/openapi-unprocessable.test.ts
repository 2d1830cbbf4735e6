/**
 * The operations that list 422 in /openapi.json are exactly those a semantic
 * rejection (AppStoreError 'Unprocessable') can reach. Every file of src/ that
 * makes one is mapped here to the operations that call it, so a new source of
 * 422 fails this test until the map, and with it the document, says where it
 * shows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { METHODS, openApiDocument, type Reference } from '../../../src/api/rest/openapi.js';

const INSTALL = 'installRelease';
const UPGRADE = 'upgradeRelease';
const ROLLBACK = 'rollbackRelease';
const DELETE = 'deleteRelease';
const VERSION = 'getPackageVersion';

/** src file → the REST operations whose requests can reach its Unprocessable (none: not an HTTP answer). */
const SOURCES: Record<string, readonly string[]> = {
  // A version's archive that does not load, or whose Chart.yaml, values.schema.json, schema.yaml,
  // package_versions.json or resources.yaml cannot be read.
  'src/catalog/version-detail.ts': [VERSION],
  'src/charts/form-files.ts': [VERSION],
  'src/charts/resources-file.ts': [VERSION, INSTALL, UPGRADE, ROLLBACK],
  // Values failing the chart's values.schema.json (resolve-chart.ts, on install and upgrade), or a schema that is none.
  'src/charts/values-schema.ts': [VERSION, INSTALL, UPGRADE],
  // The declared OAuth client: its redirect URIs, and the provider's refusals when it is made or updated.
  'src/provisioning/redirect-uris.ts': [INSTALL, UPGRADE, ROLLBACK],
  'src/provisioning/provider-http.ts': [INSTALL, UPGRADE, ROLLBACK],
  // An unknown or non-installable version, an apiVersion v2 chart on Tiller.
  'src/releases/resolve-chart.ts': [INSTALL, UPGRADE],
  // Values, merged values or the record too large.
  'src/releases/values-checks.ts': [INSTALL, UPGRADE],
  'src/releases/input-limits.ts': [INSTALL, UPGRADE],
  // A revision the release does not have.
  'src/releases/release-reads.ts': [ROLLBACK],
  // The engine's refusals of a change, its schema check's fields.
  'src/releases/engine-failures.ts': [INSTALL, UPGRADE, ROLLBACK],
  // Objects leaving the namespace (the store's check of a dry run, or the Helm engine's).
  'src/releases/tenancy-check.ts': [INSTALL, UPGRADE, ROLLBACK],
  'src/releases/release-service.ts': [INSTALL, UPGRADE, ROLLBACK],
  'src/domain/tenancy-refusal.ts': [INSTALL, UPGRADE, ROLLBACK],
  // The engine's failures: a broken chart, objects the API server refuses or kinds it does not serve, RBAC refusing the
  // Helm engine, and a hook Job that did not complete — which a delete's pre-delete hooks can do too.
  'src/tiller/tiller-errors.ts': [INSTALL, UPGRADE, ROLLBACK, DELETE],
  // Not sources: the code's definition, its HTTP and gRPC mappings, gRPC's own Struct check, a metric's classification.
  'src/domain/errors.ts': [],
  'src/api/rest/problem.ts': [],
  'src/api/rest/openapi.ts': [],
  'src/api/rest/schemas.ts': [],
  'src/api/grpc/status-codes.ts': [],
  'src/api/grpc/server.ts': [],
  'src/api/grpc/struct-keys.ts': [],
  'src/observability/tiller-calls.ts': [],
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? tsFiles(path) : /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

test('every file of src/ that makes a 422 is mapped to the operations it can answer', () => {
  const root = process.cwd();
  const sources = tsFiles(join(root, 'src'))
    .filter((file) => readFileSync(file, 'utf8').includes('Unprocessable'))
    .map((file) => relative(root, file))
    .sort();
  // The search must find the known sources, or the comparison proves nothing.
  expect(sources).toEqual(expect.arrayContaining(['src/releases/resolve-chart.ts', 'src/releases/release-reads.ts']));
  expect(sources).toEqual(Object.keys(SOURCES).sort());
});

test('the operations that list 422, with the problem+json answer, are exactly those a 422 can reach', () => {
  const reachable = [...new Set(Object.values(SOURCES).flat())].sort();
  const listed = Object.values(openApiDocument.paths)
    .flatMap((item) => METHODS.flatMap((m) => (item[m] ? [item[m]] : [])))
    .filter((op) => '422' in op.responses)
    .map((op) => {
      expect((op.responses['422'] as Reference).$ref).toBe('#/components/responses/Unprocessable');
      return op.operationId;
    })
    .sort();
  expect(listed).toEqual(reachable);
  expect(openApiDocument.components.responses.Unprocessable?.content).toEqual({
    'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
  });
});
