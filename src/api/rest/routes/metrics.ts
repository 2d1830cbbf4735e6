/** GET /metrics (public, like the probes): Prometheus exposition text. Cluster policy, not credentials, keeps it internal. */
import { Router } from 'express';
import type { Metrics } from '../../../observability/metrics.js';

export function metricsRoutes(metrics: Metrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const text = await metrics.text();
    res.type(metrics.contentType).send(text);
  });
  return router;
}
