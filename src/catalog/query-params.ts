import { AppStoreError } from '../domain/errors.js';
import type { PackageQuery } from './types.js';

/** Longer queries are refused: nobody types them, and each costs a pass over every package. */
export const MAX_QUERY_LENGTH = 200;

/** A PackageQuery checked and with its defaults filled in. */
export interface NormalizedQuery {
  /** Trimmed and lower-cased; undefined for no query (absent, empty or blank). */
  readonly text: string | undefined;
  readonly deprecated: boolean;
  /** A repository's name; undefined for all (absent or empty). */
  readonly repo: string | undefined;
  /** Trimmed and lower-cased; undefined for any. */
  readonly keyword: string | undefined;
  readonly limit: number | undefined;
  readonly offset: number;
}

/**
 * Checks a query as the API hands it over. The REST layer parses strings to
 * numbers; whatever it passes is checked again here, so that every caller
 * (gRPC too) gets the same 400 naming the parameter.
 *
 * @throws AppStoreError InvalidArgument with details `{ parameter }`
 */
export function normalizeQuery(query: PackageQuery): NormalizedQuery {
  const { query: raw, deprecated, limit, offset } = query;
  const repo = filter('repo', query.repo);
  const keyword = filter('keyword', query.keyword)?.toLowerCase();
  if (raw !== undefined && typeof raw !== 'string') throw bad('query', 'must be a string');
  const text = raw?.trim().toLowerCase();
  if (text !== undefined && text.length > MAX_QUERY_LENGTH) {
    throw bad('query', `must be at most ${MAX_QUERY_LENGTH} characters`);
  }
  if (deprecated !== undefined && typeof deprecated !== 'boolean') throw bad('deprecated', 'must be true or false');
  return {
    text: text ? text : undefined,
    deprecated: deprecated === true,
    repo,
    keyword,
    limit: count('limit', limit),
    offset: count('offset', offset) ?? 0,
  };
}

/** A filter's value, trimmed; undefined when absent or blank. */
function filter(parameter: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw bad(parameter, 'must be a string');
  const trimmed = value.trim();
  if (trimmed.length > MAX_QUERY_LENGTH) throw bad(parameter, `must be at most ${MAX_QUERY_LENGTH} characters`);
  return trimmed === '' ? undefined : trimmed;
}

function count(parameter: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw bad(parameter, 'must be a non-negative integer');
  }
  return value;
}

function bad(parameter: string, what: string): AppStoreError {
  return new AppStoreError('InvalidArgument', `${parameter} ${what}`, { parameter });
}
