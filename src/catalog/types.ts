/**
 * The catalog's port: what the API layer and the releases use cases need from
 * the chart repositories. The Default implementation lives beside it.
 */
export interface Maintainer {
  readonly name: string;
  readonly email: string;
  readonly url: string;
}

/** Chart.yaml of one version, as the index (or the archive) gives it. */
export interface ChartMetadata {
  readonly apiVersion: string;
  readonly name: string;
  readonly version: string;
  readonly appVersion: string;
  readonly description: string;
  readonly keywords: readonly string[];
  readonly home: string;
  readonly sources: readonly string[];
  readonly maintainers: readonly Maintainer[];
  readonly icon: string;
  readonly deprecated: boolean;
}

export interface PackageVersion {
  readonly version: string;
  readonly appVersion: string;
  /** RFC 3339. */
  readonly created: string;
  /** sha256 hex of the archive. */
  readonly digest: string;
  /** A semver prerelease: installable by development releases only. */
  readonly prerelease: boolean;
  /** From a development repository: installable by development releases only. */
  readonly development: boolean;
}

export interface Package {
  /** `<repo>/<name>`. */
  readonly id: string;
  readonly repo: string;
  /** Chart.yaml of the newest stable version (the newest version if none is stable). */
  readonly chart: ChartMetadata;
  /** Newest first by semver. */
  readonly versions: readonly PackageVersion[];
}

export interface PackageQuery {
  readonly query?: string;
  readonly deprecated?: boolean;
  /** Only this repository's packages. */
  readonly repo?: string;
  /** Only packages with this keyword (case-insensitive, whole keyword). */
  readonly keyword?: string;
  /** undefined = no limit. */
  readonly limit?: number;
  readonly offset?: number;
}

export interface PackagePage {
  readonly packages: readonly Package[];
  /** Matches before paging. */
  readonly total: number;
  /**
   * 0 while every repository's latest refresh succeeded; otherwise the age in
   * seconds of the oldest copy still served in place of a failing repository
   * (since the catalog started, for one that never loaded).
   */
  readonly staleSeconds: number;
}

/**
 * A page already serialised: `body` is the UTF-8 JSON array of the page's
 * packages, byte-for-byte what JSON.stringify(page.packages) gives, but kept
 * per index generation so that the REST layer can answer the common calls
 * without serialising (or even encoding) thousands of versions per request.
 * The bytes may be shared with other callers: write them, never modify them.
 */
export interface PackagePageJson {
  readonly body: Buffer;
  readonly total: number;
  readonly staleSeconds: number;
  /** A strong entity tag of body and total, from their content (the same on every replica). */
  readonly etag: string;
}

import type { ChartStandard, ClientDeclaration } from '../charts/index.js';

export interface PackageVersionDetail {
  readonly id: string;
  readonly version: PackageVersion;
  readonly chart: ChartMetadata;
  readonly readme: string;
  readonly valuesYaml: string;
  /** Parsed values.schema.json, when the chart has one. */
  readonly valuesSchema?: Readonly<Record<string, unknown>>;
  /** The install form's schema: schema.yaml (else values.schema.json) without appstore_generated_data. */
  readonly formSchema?: Readonly<Record<string, unknown>>;
  /** package_versions.json: the software inside the image, name → version. */
  readonly softwareVersions: Readonly<Record<string, string>>;
  /** The OAuth client resources.yaml declares, as written. */
  readonly client?: ClientDeclaration;
  /** resources.yaml appstore.Options.Standards, known or not. */
  readonly standards: readonly ChartStandard[];
}

export interface Catalog {
  /** Throws AppStoreError Unavailable until the first successful load. */
  list(query: PackageQuery): Promise<PackagePage>;
  /** A package by id; a bare chart name is accepted when exactly one repository has it. NotFound otherwise. */
  get(idOrName: string): Promise<Package>;
  /** Reads the version's archive (cached, digest-checked). NotFound for an unknown package or version. */
  getVersion(id: string, version: string): Promise<PackageVersionDetail>;
  /** The version's archive, digest-checked against the index (cached, bounded by size). */
  fetchArchive(id: string, version: string): Promise<Buffer>;
  /** Whether the first load has succeeded. */
  ready(): boolean;
}

/** What a catalog that keeps serialised pages offers on top of {@link Catalog}. */
export interface CatalogJson {
  /** As Catalog.list, with the packages already serialised. */
  listJson(query: PackageQuery): Promise<PackagePageJson>;
}
