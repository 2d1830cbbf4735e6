/** Strict parsing of query parameters: unknown or malformed ones are a 400 naming the parameter. */
import type { Request } from 'express';
import { invalidArgument } from '../../domain/errors.js';
import { codePointLength } from '../../domain/names.js';

/** The longest text a query parameter may carry, in code points (as the OpenAPI document's maxLength counts). */
export const MAX_QUERY_TEXT_LENGTH = 200;

export type QuerySpec = Record<string, 'string' | 'boolean' | 'int'>;
export type ParsedQuery<S extends QuerySpec> = {
  [K in keyof S]?: S[K] extends 'string' ? string : S[K] extends 'boolean' ? boolean : number;
};

export function parseQuery<S extends QuerySpec>(req: Request, spec: S, limits: { maxInt?: number } = {}): ParsedQuery<S> {
  return parseQueryObject(req.query, spec, limits);
}

/** The same over a parsed query string (node:querystring's shape: a repeated key is an array), for a caller without express. */
export function parseQueryObject<S extends QuerySpec>(query: Readonly<Record<string, unknown>>, spec: S, limits: { maxInt?: number } = {}): ParsedQuery<S> {
  const out: Record<string, string | boolean | number> = {};
  for (const [key, raw] of Object.entries(query)) {
    const kind = spec[key];
    if (!kind) throw invalidArgument(`unknown query parameter "${key}"; allowed: ${Object.keys(spec).join(', ')}`, { parameter: key });
    if (typeof raw !== 'string') throw invalidArgument(`query parameter "${key}" must be given once, as a plain value`, { parameter: key });
    if (kind === 'string') {
      if (codePointLength(raw) > MAX_QUERY_TEXT_LENGTH) {
        throw invalidArgument(`query parameter "${key}" is longer than ${MAX_QUERY_TEXT_LENGTH} characters`, { parameter: key });
      }
      out[key] = raw;
    } else if (kind === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw invalidArgument(`query parameter "${key}" must be true or false`, { parameter: key });
      out[key] = raw === 'true';
    } else {
      const max = limits.maxInt ?? 1_000_000;
      if (!/^\d{1,9}$/.test(raw) || Number(raw) > max) {
        throw invalidArgument(`query parameter "${key}" must be a whole number from 0 to ${max}`, { parameter: key });
      }
      out[key] = Number(raw);
    }
  }
  return out as ParsedQuery<S>;
}
