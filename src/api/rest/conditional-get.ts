/**
 * Conditional GETs. Every answer of the API's GETs carries an ETag (the
 * catalog's own strong tag on GET /packages, express's weak tag of the body
 * elsewhere), and express answers 304 to an If-None-Match that names it (weak
 * comparison, a list of tags, or `*`): see the fresh package. What is left to
 * the store is the header's size: /openapi.json promises at most
 * MAX_IF_NONE_MATCH_LENGTH characters, and a longer one is a 400 that names
 * it rather than a list scanned tag by tag.
 */
import type { RequestHandler } from 'express';
import { invalidArgument } from '../../domain/errors.js';

/** The longest If-None-Match accepted (all of the request's If-None-Match fields, as Node joins them). */
export const MAX_IF_NONE_MATCH_LENGTH = 1000;

export const ifNoneMatchLimit: RequestHandler = (req, _res, next) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') return next();
  const value = req.get('if-none-match');
  if (value === undefined || value.length <= MAX_IF_NONE_MATCH_LENGTH) return next();
  next(
    invalidArgument(`the If-None-Match header is ${value.length} characters long; at most ${MAX_IF_NONE_MATCH_LENGTH} are accepted`, {
      parameter: 'If-None-Match',
      limit: MAX_IF_NONE_MATCH_LENGTH,
      size: value.length,
    }),
  );
};
