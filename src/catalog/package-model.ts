import semver from 'semver';
import type { IndexEntry } from './index-file.js';
import { matchVersion } from './version-match.js';
import { searchKey, type SearchKey } from './search.js';
import type { ChartMetadata, Package, PackageVersion } from './types.js';

/**
 * A version as the catalog keeps it: what is shown, plus what fetching its
 * archive needs. Not its Chart.yaml fields: only the package's face version
 * needs them, and keeping 20 copies of every description is most of an
 * index's memory.
 */
export interface VersionRecord {
  readonly version: PackageVersion;
  readonly urls: readonly string[];
}

/** A package with what serving it needs, computed once per index load. */
export interface PackageRecord {
  readonly package: Package;
  /** Newest first, like package.versions. */
  readonly versions: readonly VersionRecord[];
  readonly search: SearchKey;
  /** JSON.stringify(package), made on first use and kept for the life of the index generation. */
  json?: string;
}

/**
 * Groups one repository's index entries into packages: versions newest
 * first by semver precedence, and the chart shown for the package taken from
 * the newest stable version, so that a prerelease never becomes the face of
 * a package (nor undeprecates it) unless it is all there is.
 */
export function buildPackages(repo: { name: string; development?: boolean }, entries: readonly IndexEntry[]): PackageRecord[] {
  const byName = new Map<string, IndexEntry[]>();
  for (const entry of entries) {
    const list = byName.get(entry.name);
    if (list) list.push(entry);
    else byName.set(entry.name, [entry]);
  }
  return [...byName.values()].map((list) => buildPackage(repo, list)).filter((r) => r !== undefined);
}

/** One chart's package from its versions (all of one name), as buildPackages makes it; undefined for none. */
export function buildPackage(repo: { name: string; development?: boolean }, entries: readonly IndexEntry[]): PackageRecord | undefined {
  const list = [...entries].sort(newestFirst);
  const face = list.find((e) => e.semver.prerelease.length === 0) ?? list[0];
  if (face === undefined) return undefined;
  const development = repo.development === true;
  const versions = list.map((entry): VersionRecord => ({
    version: {
      version: own(entry.version),
      appVersion: own(entry.metadata.appVersion),
      created: own(entry.created),
      digest: own(entry.digest),
      prerelease: entry.semver.prerelease.length > 0,
      development,
    },
    urls: entry.urls.map(own),
  }));
  const pkg: Package = {
    // The name may be the parser's: a slice of the index text, which a concatenation would keep alive.
    id: own(`${repo.name}/${face.name}`),
    repo: repo.name,
    chart: ownMetadata(face.metadata),
    versions: versions.map((v) => v.version),
  };
  return { package: pkg, versions, search: searchKey(pkg) };
}

/** The version a caller named, by the catalog's one rule (version-match.ts). */
export function findVersion(record: PackageRecord, version: string): VersionRecord | undefined {
  return matchVersion(record.versions, version, (v) => v.version.version);
}

function ownMetadata(m: ChartMetadata): ChartMetadata {
  return {
    ...m,
    apiVersion: own(m.apiVersion),
    name: own(m.name),
    version: own(m.version),
    appVersion: own(m.appVersion),
    description: own(m.description),
    keywords: m.keywords.map(own),
    home: own(m.home),
    sources: m.sources.map(own),
    maintainers: m.maintainers.map((x) => ({ name: own(x.name), email: own(x.email), url: own(x.url) })),
    icon: own(m.icon),
  };
}

/**
 * A copy of a string that does not pin the text it was cut from. V8 keeps
 * substrings of 13 characters or more as slices of their parent, so that
 * one kept digest would keep a whole multi-megabyte index.yaml alive; the
 * round trip through JSON makes a string of its own.
 */
function own(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

function newestFirst(a: IndexEntry, b: IndexEntry): number {
  return semver.compareBuild(b.semver, a.semver) || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0);
}
