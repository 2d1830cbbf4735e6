/**
 * The conditional GETs of /openapi.json (see conditional-get.ts): every GET
 * of the API but the probes and /metrics takes If-None-Match, tags its answer
 * with an ETag and may answer 304. Added to the paths in one pass, so that a
 * new GET gets them too.
 */
import { MAX_IF_NONE_MATCH_LENGTH } from './conditional-get.js';
import type { Header, Parameter, PathItem, Reference, Response } from './openapi-types.js';

export const IF_NONE_MATCH: Parameter = {
  name: 'If-None-Match',
  in: 'header',
  description:
    'Entity tags of earlier answers to the same request, as their ETag gave them, separated by commas; or `*` alone. ' +
    'When one matches the current answer’s ETag (weak comparison: `W/"x"` and `"x"` match each other), or with `*`, a ' +
    'successful answer is replaced by 304 Not Modified; a failure is answered as it would be. A value that names no tag ' +
    'is answered in full, and so is any request with `Cache-Control: no-cache`. ' +
    `At most ${MAX_IF_NONE_MATCH_LENGTH} characters (several If-None-Match fields count together); a longer one is a 400.`,
  schema: { type: 'string', maxLength: MAX_IF_NONE_MATCH_LENGTH },
};

export const ETAG: Header = {
  description: 'A weak entity tag of the answer’s body (W/"…"), for If-None-Match',
  required: true,
  schema: { type: 'string' },
};

export const NOT_MODIFIED: Response = {
  description: 'Not Modified: the answer is the one If-None-Match named (or `*` was given); no body',
  headers: { ETag: { description: 'The entity tag of the unchanged answer', required: true, schema: { type: 'string' } } },
};

const ref = (kind: string, name: string): Reference => ({ $ref: `#/components/${kind}/${name}` });

/** The probes and the scrape answer live, never 304 (health.ts). */
const UNCONDITIONAL_TAGS = new Set(['health']);

/** The paths, with If-None-Match, a 200 ETag (unless the operation documents its own) and a 304 on every GET of the API. */
export function withConditionalGets(paths: Readonly<Record<string, PathItem>>): Record<string, PathItem> {
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => {
      const get = item.get;
      if (!get || get.tags.some((tag) => UNCONDITIONAL_TAGS.has(tag))) return [path, item];
      const { 200: answer, ...others } = get.responses;
      const ok = answer as Response;
      const tagged: Response = { ...ok, headers: { ETag: ref('headers', 'ETag'), ...ok.headers } };
      return [
        path,
        {
          ...item,
          get: {
            ...get,
            parameters: [...(get.parameters ?? []), ref('parameters', 'IfNoneMatch')],
            responses: { 200: tagged, 304: ref('responses', 'NotModified'), ...others },
          },
        },
      ];
    }),
  );
}
