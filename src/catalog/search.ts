import type { Package } from './types.js';

/** A package's searchable text, lower-cased once per index load rather than once per query. */
export interface SearchKey {
  readonly name: string;
  readonly repo: string;
  readonly keywords: readonly string[];
  readonly description: string;
}

export function searchKey(pkg: Package): SearchKey {
  return {
    name: pkg.chart.name.toLowerCase(),
    repo: pkg.repo,
    keywords: pkg.chart.keywords.map((k) => k.toLowerCase()),
    description: pkg.chart.description.toLowerCase(),
  };
}

/**
 * How well a package matches a lower-cased query; lower is better, undefined
 * is no match. The tiers: 0 the exact name, 1 a name starting with the query,
 * 2 a name containing it, 3 a keyword containing it, 4 the description
 * containing it. Someone who types a chart's name wants that chart first,
 * and a chart named for the thing beats one that only mentions it.
 */
export function matchRank(key: SearchKey, query: string): number | undefined {
  if (key.name === query) return 0;
  if (key.name.startsWith(query)) return 1;
  if (key.name.includes(query)) return 2;
  if (key.keywords.some((k) => k.includes(query))) return 3;
  if (key.description.includes(query)) return 4;
  return undefined;
}

/** The listing order, and the tie-break within a rank: by name, then by repository, so that equal charts never swap. */
export function compareKeys(a: SearchKey, b: SearchKey): number {
  return compareStrings(a.name, b.name) || compareStrings(a.repo, b.repo);
}

/**
 * The items matching `query`, best first.
 *
 * @param items already in {@link compareKeys} order, which the sort keeps within a rank (Array.sort is stable)
 */
export function rankMatches<T extends { readonly search: SearchKey }>(items: readonly T[], query: string): T[] {
  const ranked: Array<{ item: T; rank: number }> = [];
  for (const item of items) {
    const rank = matchRank(item.search, query);
    if (rank !== undefined) ranked.push({ item, rank });
  }
  ranked.sort((a, b) => a.rank - b.rank);
  return ranked.map((r) => r.item);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
