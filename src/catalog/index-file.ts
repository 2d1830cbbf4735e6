import { CORE_SCHEMA, load } from 'js-yaml';
import semver, { type SemVer } from 'semver';
import { AppStoreError } from '../domain/errors.js';
import { chartFields } from './chart-fields.js';
import { errorText } from '../domain/error-text.js';
import type { ChartMetadata } from './types.js';

/** One usable version of a chart from a repository's index.yaml. */
export interface IndexEntry {
  readonly name: string;
  /** As the index writes it (archive names use it), e.g. `1.2.0` or `v1.2.0`. */
  readonly version: string;
  readonly semver: SemVer;
  readonly metadata: ChartMetadata;
  /** RFC 3339 as written, '' when absent. */
  readonly created: string;
  /** sha256, lowercase hex. */
  readonly digest: string;
  /** Absolute http(s) URLs of the archive, mirrors in the index's order. */
  readonly urls: readonly string[];
}

/** An entry left out, and why: logged, counted, never fatal. */
export interface SkippedEntry {
  readonly chart: string;
  readonly version?: string;
  readonly reason: string;
}

export interface ParsedIndex {
  readonly entries: IndexEntry[];
  readonly skipped: SkippedEntry[];
}

/** What Helm accepts as a chart name; it becomes part of ids and URLs, so nothing else gets through. */
const CHART_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SHA256_HEX = /^(?:sha256:)?([a-fA-F0-9]{64})$/;

/**
 * Parses index.yaml. A document that is not an index at all (not YAML, no
 * `entries` mapping) throws, so that the refresh fails and the last good
 * copy stays; a malformed entry is only skipped, with the reason.
 *
 * @param repoUrl the repository's base URL, against which relative archive URLs resolve (as Helm resolves them)
 * @throws AppStoreError Unavailable naming what is wrong with the document
 */
export function parseIndex(text: string, repoUrl: string): ParsedIndex {
  const doc = parseDocument(text);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw malformed('it is not a YAML mapping');
  const { apiVersion, entries } = doc as Record<string, unknown>;
  if (apiVersion !== undefined && apiVersion !== 'v1') throw malformed(`apiVersion ${String(apiVersion)} is not v1`);
  if (entries === null || entries === undefined) return { entries: [], skipped: [] };
  if (typeof entries !== 'object' || Array.isArray(entries)) throw malformed("'entries' is not a mapping");

  const base = `${repoUrl.replace(/\/+$/, '')}/`;
  const out: IndexEntry[] = [];
  const skipped: SkippedEntry[] = [];
  for (const [key, list] of Object.entries(entries as Record<string, unknown>)) {
    if (!Array.isArray(list)) {
      skipped.push({ chart: key, reason: 'its versions are not a list' });
      continue;
    }
    const seen = new Map<string, string>();
    for (const raw of list) {
      const result = readEntry(key, raw, base);
      if ('reason' in result) {
        skipped.push(result);
        continue;
      }
      // 1.0.0 and v1.0.0 are one version to semver (and to Helm): the first one listed wins.
      const identity = `${result.semver.version}+${result.semver.build.join('.')}`;
      const first = seen.get(identity);
      if (first !== undefined) {
        skipped.push({ chart: key, version: result.version, reason: `duplicate of version ${first}` });
        continue;
      }
      seen.set(identity, result.version);
      out.push(result);
    }
  }
  return { entries: out, skipped };
}

/**
 * YAML with the core schema (timestamps such as `created` stay strings; no
 * custom tags). An index that is JSON (some tools write it so, and it is
 * valid YAML) takes JSON.parse, several times faster on large indexes.
 */
function parseDocument(text: string): unknown {
  try {
    if (/^\s*\{/.test(text)) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        // Flow-style YAML that is not strict JSON: let the YAML parser have it.
      }
    }
    return load(text, { schema: CORE_SCHEMA, json: true, filename: 'index.yaml' });
  } catch (err) {
    throw malformed(`it is not valid YAML: ${errorText(err)}`);
  }
}

function readEntry(key: string, raw: unknown, base: string): IndexEntry | SkippedEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { chart: key, reason: 'not a mapping' };
  const entry = raw as Record<string, unknown>;
  const rawVersion = entry.version;
  const version = typeof rawVersion === 'string' ? rawVersion : undefined;
  const skip = (reason: string): SkippedEntry => ({ chart: key, ...(version ? { version } : {}), reason });

  const { name } = entry;
  if (typeof name !== 'string' || name === '') return skip('no name');
  if (name !== key) return skip(`its name ${JSON.stringify(name)} differs from its key`);
  if (!CHART_NAME.test(name)) return skip(`name ${JSON.stringify(name)} is not a valid chart name`);
  if (version === undefined) {
    return skip(rawVersion === undefined ? 'no version' : `version ${String(rawVersion)} is not a string`);
  }
  const parsed = semver.parse(version);
  if (parsed === null) return skip(`version ${JSON.stringify(version)} is not a valid semantic version`);

  const digest = typeof entry.digest === 'string' ? SHA256_HEX.exec(entry.digest)?.[1] : undefined;
  // Without a digest an archive could not be verified: such a version is not offered at all.
  if (digest === undefined) return skip('no sha256 digest');
  const urls = archiveUrls(entry.urls, base);
  if (typeof urls === 'string') return skip(urls);

  return {
    name,
    version,
    semver: parsed,
    metadata: chartFields(entry, name, version),
    created: typeof entry.created === 'string' ? entry.created : '',
    digest: digest.toLowerCase(),
    urls,
  };
}

/** The entry's archive URLs made absolute, or why they cannot be used. */
function archiveUrls(value: unknown, base: string): string[] | string {
  if (!Array.isArray(value) || value.length === 0) return 'no urls';
  const urls: string[] = [];
  for (const raw of value) {
    if (typeof raw !== 'string' || raw === '') return 'a url is not a string';
    let url: URL;
    try {
      url = new URL(raw, base);
    } catch {
      return `url ${JSON.stringify(raw)} is not a URL`;
    }
    // file:, data: and the like would let an index make the store read what it should not.
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `url ${JSON.stringify(raw)} is not http(s)`;
    if (url.username !== '' || url.password !== '') return 'a url carries credentials'; // not quoted: it would put them in the logs
    urls.push(url.href);
  }
  return urls;
}

function malformed(why: string): AppStoreError {
  return new AppStoreError('Unavailable', `index.yaml is malformed: ${why}`, { reason: 'malformed-index' });
}
