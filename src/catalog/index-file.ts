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
  const { charts, skipped } = parseIndexCharts(text, repoUrl, (_chart, entries) => entries);
  return { entries: [...charts.values()].flat(), skipped };
}

/** A parsed index: what `take` made of each chart, and the entries left out. */
export interface IndexCharts<T> {
  readonly charts: Map<string, T>;
  readonly skipped: SkippedEntry[];
}

/**
 * Parses index.yaml chart by chart, handing each chart's usable versions to
 * `take` as soon as they are read, so that only what `take` keeps outlives
 * the parse (the catalog keeps far less than an entry's Chart.yaml fields).
 * Charts come in the index's order; a chart named twice counts as its last
 * list, as a YAML mapping does. `take` may be called again for a chart when
 * the index has to be read as a whole after all. Throws as parseIndex does.
 */
export function parseIndexCharts<T>(text: string, repoUrl: string, take: (chart: string, entries: IndexEntry[]) => T): IndexCharts<T> {
  const steps = indexSteps(text, repoUrl, take);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * parseIndexCharts giving way to the event loop after every `sliceMs` of
 * parsing, so that loading a large index does not hold up every request
 * for as long as the whole parse takes.
 */
export async function parseIndexChartsGently<T>(
  text: string,
  repoUrl: string,
  take: (chart: string, entries: IndexEntry[]) => T,
  sliceMs = 20,
): Promise<IndexCharts<T>> {
  const steps = indexSteps(text, repoUrl, take);
  let since = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - since >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
}

/** The parse, pausing (yielding) after each chart. */
function* indexSteps<T>(text: string, repoUrl: string, take: (chart: string, entries: IndexEntry[]) => T): Generator<void, IndexCharts<T>> {
  const base = `${repoUrl.replace(/\/+$/, '')}/`;
  // Chart by chart when the index has the layout Helm writes; the whole document at once when it has not, or when a
  // piece does not parse alone (an alias to another chart's anchor): the whole parse then decides, errors included.
  try {
    const pieces = splitEntries(text);
    if (pieces !== undefined) return yield* readCharts(pieces, base, take);
  } catch {
    // The whole document, below.
  }
  const doc = parseDocument(text);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw malformed('it is not a YAML mapping');
  const { apiVersion, entries } = doc as Record<string, unknown>;
  if (apiVersion !== undefined && apiVersion !== 'v1') throw malformed(`apiVersion ${String(apiVersion)} is not v1`);
  if (entries === null || entries === undefined) return { charts: new Map(), skipped: [] };
  if (typeof entries !== 'object' || Array.isArray(entries)) throw malformed("'entries' is not a mapping");
  return yield* readCharts(Object.entries(entries as Record<string, unknown>), base, take);
}

function* readCharts<T>(
  lists: Iterable<[string, unknown]>,
  base: string,
  take: (chart: string, entries: IndexEntry[]) => T,
): Generator<void, IndexCharts<T>> {
  const charts = new Map<string, T>();
  const skippedBy = new Map<string, SkippedEntry[]>();
  for (const [key, list] of lists) {
    const { entries, skipped } = readChart(key, list, base);
    // A later list of the same chart replaces the earlier one, in its place.
    skippedBy.set(key, skipped);
    if (entries.length > 0) charts.set(key, take(key, entries));
    else charts.delete(key);
    yield;
  }
  return { charts, skipped: [...skippedBy.values()].flat() };
}

function readChart(key: string, list: unknown, base: string): { entries: IndexEntry[]; skipped: SkippedEntry[] } {
  if (!Array.isArray(list)) return { entries: [], skipped: [{ chart: key, reason: 'its versions are not a list' }] };
  const entries: IndexEntry[] = [];
  const skipped: SkippedEntry[] = [];
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
    entries.push(result);
  }
  return { entries, skipped };
}

/**
 * The index cut into one piece of YAML per chart, or undefined when it is
 * not in the block layout Helm writes (a top-level `entries:` line, each
 * chart's key at one indentation, top-level keys at column 0, one document).
 * Parsing chart by chart holds one chart's parsed YAML at a time instead of
 * the whole index's: for 20 000 versions that object graph is several times
 * the size of the text, and the process keeps the memory it once needed.
 */
function splitEntries(text: string): Iterable<[string, unknown]> | undefined {
  const start = /^entries:[ \t]*(?:#.*)?$/m.exec(text);
  if (start === null) return undefined;
  const pieces: [number, number][] = [];
  let indent = -1;
  let pos = text.indexOf('\n', start.index);
  let end = text.length;
  while (pos !== -1 && pos < text.length) {
    const lineStart = pos + 1;
    const next = text.indexOf('\n', lineStart);
    const lineEnd = next === -1 ? text.length : next;
    const line = text.slice(lineStart, lineEnd);
    pos = next;
    const content = line.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    const depth = line.length - content.length;
    if (depth === 0) {
      if (line.startsWith('---') || line.startsWith('...')) return undefined;
      end = lineStart;
      break;
    }
    if (line.includes('\t')) return undefined;
    if (indent === -1) indent = depth;
    if (depth < indent) return undefined;
    if (depth === indent && !content.startsWith('-')) {
      const last = pieces.at(-1);
      if (last) last[1] = lineStart;
      pieces.push([lineStart, lineEnd]);
    }
  }
  const last = pieces.at(-1);
  if (last) last[1] = end;
  const rest = text.slice(0, start.index) + text.slice(end);
  if (/^(?:---|\.\.\.)/m.test(rest)) return undefined;
  const header: unknown = rest.trim() === '' ? {} : load(rest, { schema: CORE_SCHEMA, json: true });
  if (typeof header !== 'object' || header === null || Array.isArray(header) || 'entries' in header) return undefined;
  const { apiVersion } = header as Record<string, unknown>;
  if (apiVersion !== undefined && apiVersion !== 'v1') return undefined;
  return chartPieces(text, pieces);
}

/** Each piece parsed when it is reached, so that one chart's parsed YAML is held at a time; throws on a piece that is not one chart. */
function* chartPieces(text: string, pieces: readonly [number, number][]): Iterable<[string, unknown]> {
  for (const [from, to] of pieces) {
    const piece: unknown = load(text.slice(from, to), { schema: CORE_SCHEMA, json: true, filename: 'index.yaml' });
    if (typeof piece !== 'object' || piece === null || Array.isArray(piece)) throw new Error('not a mapping');
    const [key, ...more] = Object.keys(piece);
    if (key === undefined || more.length > 0) throw new Error('not one chart');
    yield [key, (piece as Record<string, unknown>)[key]];
  }
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
