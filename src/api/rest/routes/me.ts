/**
 * GET /me: who the caller is to the store (id, name and email when known,
 * groups), where they may deploy, and how much of their release quotas they
 * use. The service object's GetMe, as JSON.
 */
import { Router } from 'express';
import type { AppStoreService } from '../../grpc/app-store-service.js';
import { parseQuery } from '../query-params.js';
import { callContext } from '../request-context.js';

export function meRoutes(service: AppStoreService): Router {
  const router = Router();
  router.get('/me', async (req, res) => {
    parseQuery(req, {});
    const me = await service.getMe({}, callContext(res));
    res.json({
      id: me.id,
      ...(me.name !== '' && { name: me.name }),
      ...(me.email !== '' && { email: me.email }),
      groups: me.groups,
      namespaces: me.namespaces,
      quotas: { releases: me.quotas?.releases ?? { used: 0, limit: 0 }, groups: me.quotas?.groups ?? [] },
    });
  });
  return router;
}
