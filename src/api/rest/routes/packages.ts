/**
 * GET /packages (public, as the seed wants): a plain JSON list, or a page
 * when limit/offset are given, with the total in X-Total-Count. The catalog's
 * staleness goes in X-Catalog-Stale-Seconds.
 */
import { Router, type Response } from 'express';
import { invalidArgument } from '../../../domain/errors.js';
import type { AppStoreService } from '../../grpc/app-store-service.js';
import { parseQuery } from '../query-params.js';
import { callContext } from '../request-context.js';

const MAX_LIMIT = 1000;

export function packageRoutes(service: AppStoreService): Router {
  const router = Router();

  router.get('/packages', async (req, res) => {
    const q = parseQuery(req, { query: 'string', deprecated: 'boolean', repo: 'string', keyword: 'string', limit: 'int', offset: 'int' }, { maxInt: 1_000_000 });
    if (q.limit !== undefined && (q.limit < 1 || q.limit > MAX_LIMIT)) {
      throw invalidArgument(`query parameter "limit" must be from 1 to ${MAX_LIMIT}`, { parameter: 'limit' });
    }
    const page = await service.listPackagesJson(
      { query: q.query ?? '', deprecated: q.deprecated ?? false, repo: q.repo ?? '', keyword: q.keyword ?? '', limit: q.limit ?? 0, offset: q.offset ?? 0 },
      callContext(res),
    );
    stale(res, page.staleSeconds);
    res.setHeader('X-Total-Count', String(page.total));
    // The catalog's own tag, computed once per body: express would otherwise hash every body on every request, and
    // it still answers 304 to a matching If-None-Match.
    res.setHeader('ETag', page.etag);
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

function stale(res: Response, seconds: number): void {
  res.setHeader('X-Catalog-Stale-Seconds', String(seconds));
}
