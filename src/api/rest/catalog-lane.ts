/**
 * GET /packages answered before express, in its common form: no credentials,
 * no body, a query that validates and a catalog that answers. It is the
 * store's most frequent request and its answer is a kept page
 * (catalog-snapshot.ts), so express's own work — its request and response
 * objects, ten middleware layers, routing — was most of its cost:
 * bench/catalog measures the store's listing of 20 packages at a fifth of a
 * bare node:http server's rate through express.
 *
 * The answer is express's to the byte (routes/packages.ts makes both): the
 * same headers, a 304 to a matching If-None-Match, the request id, one log
 * line and the request metrics. Anything else — another path or method,
 * credentials to check, a request body, a query or an If-None-Match that
 * does not validate, a catalog that cannot answer — is passed to express untouched, which answers
 * it, its errors included, as it answers everything.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import fresh from 'fresh';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { credentialsFrom, hasCredentials } from '../credentials.js';
import type { AppStoreService } from '../grpc/app-store-service.js';
import { requestIdFrom } from '../request-id.js';
import { MAX_IF_NONE_MATCH_LENGTH } from './conditional-get.js';
import { packageListRequest, setPageHeaders } from './routes/packages.js';

const PATH = '/packages';

export interface CatalogLaneDeps {
  readonly service: Pick<AppStoreService, 'listPackagesJson'>;
  readonly log: Logger;
  readonly metrics?: Metrics;
}

/** Answers the request, or calls `next` (with nothing written) when express must. */
export type Lane = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export function catalogLane(deps: CatalogLaneDeps): Lane {
  return (req, res, next) => {
    const request = listingOf(req);
    if (request === undefined) return next();
    const started = performance.now();
    const requestId = requestIdFrom(req.headers['x-request-id'] as string | undefined);
    deps.service.listPackagesJson(request, { requestId, log: deps.log }).then(
      (page) => {
        res.setHeader('X-Request-Id', requestId);
        setPageHeaders(res, page);
        res.once('finish', () => {
          const ms = performance.now() - started;
          deps.metrics?.observeHttp({ method: 'GET', route: PATH, status: res.statusCode, seconds: ms / 1000 });
          deps.log.info({ requestId, method: 'GET', path: PATH, status: res.statusCode, ms: Math.round(ms) }, 'http request');
        });
        if (fresh(req.headers, { etag: page.etag })) {
          res.statusCode = 304;
          res.end();
          return;
        }
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('Content-Length', page.body.length);
        res.end(page.body);
      },
      // Unavailable, or anything unexpected: express asks again and answers with its problem+json.
      () => next(),
    ).catch((err: unknown) => {
      // Writing the answer failed: nothing is left to answer with, but the process must not die of it.
      deps.log.error({ requestId, err }, 'writing a catalog listing failed');
      res.destroy();
    });
  };
}

/** The service's request when the lane may answer it, else undefined. */
function listingOf(req: IncomingMessage): ReturnType<typeof packageListRequest> | undefined {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (req.method !== 'GET' || (q === -1 ? url : url.slice(0, q)) !== PATH) return undefined;
  if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) return undefined;
  if (hasCredentials(credentialsFrom(req.headers as Record<string, string | undefined>))) return undefined;
  if ((req.headers['if-none-match']?.length ?? 0) > MAX_IF_NONE_MATCH_LENGTH) return undefined;
  try {
    return packageListRequest(q === -1 ? {} : parseQueryString(url.slice(q + 1)));
  } catch {
    return undefined;
  }
}
