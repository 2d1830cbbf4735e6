import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { AppStoreError } from '../domain/errors.js';
import type { PackageRecord } from './package-model.js';
import type { NormalizedQuery } from './query-params.js';
import { compareKeys, rankMatches } from './search.js';

/** Distinct queries whose ranking is kept per generation. */
const RANKED_QUERIES = 512;
/** Bytes of serialised pages (the full list, searches, pages of either) kept per generation. */
const BODY_CACHE_BYTES = 64 * 1024 * 1024;

export interface JsonPage {
  readonly body: Buffer;
  readonly total: number;
  /** A strong entity tag of body and total. */
  readonly etag: string;
}

export interface Selection {
  readonly records: readonly PackageRecord[];
  readonly total: number;
}

/**
 * Every repository's packages as served between two index changes: one
 * immutable generation. Whatever a listing needs is computed here once —
 * sort order, lookups by id and name, lower-cased search text — or on first
 * use and then kept (rankings, serialised packages, unpaged bodies), so that
 * a cached list costs a map lookup; a new index makes a new snapshot and
 * the caches go with the old one.
 */
export class CatalogSnapshot {
  /** All packages, in listing order (name, then repository). */
  private readonly all: readonly PackageRecord[];
  /** The same without deprecated packages: what a default listing shows. */
  private readonly current: readonly PackageRecord[];
  private readonly byId = new Map<string, PackageRecord>();
  private readonly byName = new Map<string, PackageRecord[]>();
  private readonly ranked = new LRUCache<string, readonly PackageRecord[]>({ max: RANKED_QUERIES });
  private readonly bodies = new LRUCache<string, JsonPage>({
    maxSize: BODY_CACHE_BYTES,
    sizeCalculation: (page) => Math.max(1, page.body.length),
  });

  constructor(
    readonly generation: number,
    repos: Iterable<readonly PackageRecord[]>,
  ) {
    const all: PackageRecord[] = [];
    for (const records of repos) all.push(...records);
    all.sort((a, b) => compareKeys(a.search, b.search));
    this.all = all;
    this.current = all.filter((r) => !r.package.chart.deprecated);
    for (const record of all) {
      this.byId.set(record.package.id, record);
      const named = this.byName.get(record.package.chart.name);
      if (named) named.push(record);
      else this.byName.set(record.package.chart.name, [record]);
    }
  }

  get size(): number {
    return this.all.length;
  }

  /** The page a query asks for, and how many matched before paging. */
  select(query: NormalizedQuery): Selection {
    const matches = this.matches(query);
    const end = query.limit === undefined ? undefined : query.offset + query.limit;
    const records = query.offset === 0 && end === undefined ? matches : matches.slice(query.offset, end);
    return { records, total: matches.length };
  }

  /**
   * The JSON array of a query's page, as UTF-8, with its entity tag. Every
   * body is kept (bounded by bytes): a listing page, a search, the full list
   * are each serialised and hashed once per generation, however often they
   * are asked for.
   */
  selectJson(query: NormalizedQuery): JsonPage {
    const key = `${cacheKey(query)}|${query.offset}|${query.limit ?? ''}`;
    let page = this.bodies.get(key);
    if (page === undefined) {
      const { records, total } = this.select(query);
      const body = Buffer.from(`[${records.map(packageJson).join(',')}]`, 'utf8');
      // From the content, so that replicas (each with its own generation count) agree; the total is part of it.
      const etag = `"${createHash('sha256').update(body).update(`|${total}`).digest('base64url').slice(0, 32)}"`;
      page = { body, total, etag };
      this.bodies.set(key, page);
    }
    return page;
  }

  /**
   * A package by id, or by bare chart name when exactly one repository has
   * that name. Deprecated packages are found too: hiding is for listings.
   *
   * @throws AppStoreError NotFound, or InvalidArgument naming the candidates of an ambiguous name
   */
  find(idOrName: string): PackageRecord {
    if (idOrName.includes('/')) {
      const record = this.byId.get(idOrName);
      if (!record) throw new AppStoreError('NotFound', `package ${idOrName} not found`, { id: idOrName });
      return record;
    }
    const named = this.byName.get(idOrName) ?? [];
    const [only] = named;
    if (only !== undefined && named.length === 1) return only;
    if (named.length === 0) throw new AppStoreError('NotFound', `package ${idOrName} not found`, { id: idOrName });
    const candidates = named.map((r) => r.package.id);
    throw new AppStoreError(
      'InvalidArgument',
      `chart ${idOrName} is in more than one repository (${candidates.join(', ')}): name it by id`,
      { parameter: 'id', candidates },
    );
  }

  private matches(query: NormalizedQuery): readonly PackageRecord[] {
    const unfiltered = query.deprecated ? this.all : this.current;
    if (query.text === undefined && query.repo === undefined && query.keyword === undefined) return unfiltered;
    const key = cacheKey(query);
    let ranked = this.ranked.get(key);
    if (ranked === undefined) {
      // Filters narrow the pool; the ranking within it is the search's own.
      const { repo, keyword } = query;
      const pool = repo === undefined && keyword === undefined
        ? unfiltered
        : unfiltered.filter((r) => (repo === undefined || r.search.repo === repo) && (keyword === undefined || r.search.keywords.includes(keyword)));
      ranked = query.text === undefined ? pool : rankMatches(pool, query.text);
      this.ranked.set(key, ranked);
    }
    return ranked;
  }
}

/** Serialised once per record: a record never changes, and outlives a generation when its repository's index did not change. */
function packageJson(record: PackageRecord): string {
  record.json ??= JSON.stringify(record.package);
  return record.json;
}

function cacheKey(query: NormalizedQuery): string {
  return JSON.stringify([query.deprecated, query.text ?? '', query.repo ?? '', query.keyword ?? '']);
}
