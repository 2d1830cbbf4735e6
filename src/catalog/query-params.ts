import { AppStoreError } from '../domain/errors.js';
import type { PackageQuery } from './types.js';

/** Longer queries are refused: nobody types them, and each costs a pass over every package. */
export const MAX_QUERY_LENGTH = 200;

/** A PackageQuery checked and with its defaults filled in. */
export interface NormalizedQuery {
  /** Trimmed and lower-cased; undefined for no query (absent, empty or blank). */
  readonly text: string | undefined;
  readonly deprecated: boolean;
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
  if (raw !== undefined && typeof raw !== 'string') throw bad('query', 'must be a string');
  const text = raw?.trim().toLowerCase();
  if (text !== undefined && text.length > MAX_QUERY_LENGTH) {
    throw bad('query', `must be at most ${MAX_QUERY_LENGTH} characters`);
  }
  if (deprecated !== undefined && typeof deprecated !== 'boolean') throw bad('deprecated', 'must be true or false');
  return {
    text: text ? text : undefined,
    deprecated: deprecated === true,
    limit: count('limit', limit),
    offset: count('offset', offset) ?? 0,
  };
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
