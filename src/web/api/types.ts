/**
 * The JSON the REST API answers, as src/api/rest/schemas.ts describes it
 * (the OpenAPI document's component schemas); only the fields the UI reads.
 */
export interface Maintainer { name: string; email: string; url: string }

export interface ChartMetadata {
  apiVersion: string;
  name: string;
  version: string;
  appVersion: string;
  description: string;
  keywords: string[];
  home: string;
  sources: string[];
  maintainers: Maintainer[];
  icon: string;
  deprecated: boolean;
}

export interface PackageVersion {
  version: string;
  appVersion: string;
  created: string;
  digest: string;
  prerelease: boolean;
  development: boolean;
}

export interface Package { id: string; repo: string; chart: ChartMetadata; versions: PackageVersion[] }

export interface DeclaredClient { sections: string[]; scopes: string[]; redirectUris: string[]; provisioned: boolean; detail: string }

export interface PackageVersionDetail {
  id: string;
  version: PackageVersion;
  chart: ChartMetadata;
  readme: string;
  valuesYaml: string;
  valuesSchema?: Record<string, unknown>;
  formSchema?: Record<string, unknown>;
  softwareVersions: Record<string, string>;
  client?: DeclaredClient;
  standards: { name: string; known: boolean; description: string }[];
}

export interface Release {
  id: string;
  owner: string;
  application: string;
  version: string;
  namespace: string;
  adminGroups: string[];
  development: boolean;
  values: Record<string, unknown>;
}

export interface DryRunResult extends Release { manifest: string; notes: string }

export type Health = 'Ready' | 'Progressing' | 'Missing' | 'Unknown' | 'Degraded';

export interface ResourceStatus { kind: string; apiVersion: string; name: string; namespace: string; health: Health; ready: string }

export interface ReleaseStatus {
  lastDeployed: string;
  namespace: string;
  status: string;
  resources: ResourceStatus[];
  notes: string;
}

export interface Revision { revision: number; version: string; status: string; updated: string; description: string; values: Record<string, unknown> }

/** A revision as stored, or as a change would store it (the dry runs of an upgrade and a rollback). */
export interface RevisionContent { revision: number; version: string; manifest: string; notes: string; values: Record<string, unknown> }

export interface ChangePreview { current: RevisionContent; proposed: RevisionContent }

export interface Me { id: string; name?: string; email?: string; groups: string[]; namespaces: string[] }

export interface UiSettings {
  oidc: { issuer: string; clientId: string; scope: string } | null;
  tokenSignIn: boolean;
}
