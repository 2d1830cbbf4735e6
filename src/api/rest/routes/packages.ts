/**
 * GET /packages (public, as the seed wants): a plain JSON list, or a page
 * when limit/offset are given, with the total in X-Total-Count. The catalog's
 * staleness goes in X-Catalog-Stale-Seconds. Most listings without
 * credentials are answered before express (../catalog-lane.ts), with the same
 * query rules and headers from here.
 */
import { Router } from 'express';
import type { ServerResponse } from 'node:http';
import type { ListPackagesRequest } from '../../../../gen/appstore/v1/appstore.js';
import type { PackagePageJson } from '../../../catalog/types.js';
import { invalidArgument } from '../../../domain/errors.js';
import type { AppStoreService } from '../../grpc/app-store-service.js';
import { parseQuery, parseQueryObject } from '../query-params.js';
import { callContext } from '../request-context.js';

const MAX_LIMIT = 1000;

/**
 * GET /packages' query as the service takes it.
 *
 * @throws AppStoreError InvalidArgument naming the parameter
 */
export function packageListRequest(query: Readonly<Record<string, unknown>>): ListPackagesRequest {
  const q = parseQueryObject(query, { query: 'string', deprecated: 'boolean', repo: 'string', keyword: 'string', limit: 'int', offset: 'int' }, { maxInt: 1_000_000 });
  if (q.limit !== undefined && (q.limit < 1 || q.limit > MAX_LIMIT)) {
    throw invalidArgument(`query parameter "limit" must be from 1 to ${MAX_LIMIT}`, { parameter: 'limit' });
  }
  return { query: q.query ?? '', deprecated: q.deprecated ?? false, repo: q.repo ?? '', keyword: q.keyword ?? '', limit: q.limit ?? 0, offset: q.offset ?? 0 };
}

/**
 * The headers of a page: its total, the catalog's staleness, and the catalog's own tag, computed once per body
 * (express would otherwise hash every body on every request; a matching If-None-Match is still a 304).
 */
export function setPageHeaders(res: ServerResponse, page: PackagePageJson): void {
  res.setHeader('X-Catalog-Stale-Seconds', String(page.staleSeconds));
  res.setHeader('X-Total-Count', String(page.total));
  res.setHeader('ETag', page.etag);
}

export function packageRoutes(service: AppStoreService): Router {
  const router = Router();

  router.get('/packages', async (req, res) => {
    const page = await service.listPackagesJson(packageListRequest(req.query), callContext(res));
    setPageHeaders(res, page);
    res.type('application/json').send(page.body);
  });

  router.get('/packages/:repo/:name', async (req, res) => {
    parseQuery(req, {});
    res.json(await service.getPackage({ id: `${req.params.repo}/${req.params.name}` }, callContext(res)));
  });

  router.get('/packages/:name', async (req, res) => {
    parseQuery(req, {});
    res.json(await service.getPackage({ id: req.params.name }, callContext(res)));
  });

  router.get('/packages/:repo/:name/versions/:version', async (req, res) => {
    parseQuery(req, {});
    const detail = await service.getPackageVersion(
      { id: `${req.params.repo}/${req.params.name}`, version: req.params.version },
      callContext(res),
    );
    res.json(detail);
  });

  return router;
}
