/**
 * The catalog: chart repositories → searchable packages, and verified chart
 * archives. The port is in types.ts; DefaultCatalog implements it.
 */
export type * from './types.js';
export type { CatalogCounters, CatalogStatus, RepoStatus } from './catalog-status.js';
export { createCatalog, DefaultCatalog, type CatalogDeps, type CatalogOptions } from './default-catalog.js';
export type { FetchFn } from './http-get.js';
export { MAX_QUERY_LENGTH } from './query-params.js';
export { matchVersion } from './version-match.js';
export {
  clusterScopedPolicy,
  credentialsEnvName,
  DEV_REPOS_ENV,
  loadRepoConfigs,
  readRepoCredentials,
  REPOS_FILE_ENV,
  type RepoAuth,
  type RepoConfig,
} from './repo-config.js';
