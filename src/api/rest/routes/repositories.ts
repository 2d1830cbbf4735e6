/**
 * GET /repositories (authenticated): each configured chart repository and the
 * state of its latest refresh, so that a repository that is failing (down,
 * refusing the configured credentials, rate limiting) says why, while the
 * catalog keeps serving its last good list.
 */
import { Router } from 'express';
import type { AppStoreService } from '../../grpc/app-store-service.js';
import { parseQuery } from '../query-params.js';
import { callContext } from '../request-context.js';

export function repositoryRoutes(service: AppStoreService): Router {
  const router = Router();
  router.get('/repositories', async (req, res) => {
    parseQuery(req, {});
    const repos = await service.listRepositories(callContext(res));
    res.json(
      repos.map((r) => ({
        name: r.name,
        url: r.url,
        kind: r.kind,
        development: r.development,
        loaded: r.loaded,
        failing: r.failing,
        ...(r.lastAttemptAt !== undefined && { lastAttemptAt: new Date(r.lastAttemptAt).toISOString() }),
        ...(r.lastSuccessAt !== undefined && { lastSuccessAt: new Date(r.lastSuccessAt).toISOString() }),
        ...(r.lastError !== undefined && { lastError: r.lastError }),
        packages: r.packages,
        skippedEntries: r.skippedEntries,
      })),
    );
  });
  return router;
}
