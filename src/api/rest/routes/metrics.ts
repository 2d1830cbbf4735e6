/** GET /metrics (public, like the probes): Prometheus exposition text. Cluster policy, not credentials, keeps it internal. */
import { Router } from 'express';
import type { Metrics } from '../../../observability/metrics.js';
import { sendLive } from '../health.js';

export function metricsRoutes(metrics: Metrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const text = await metrics.text();
    sendLive(res, 200, metrics.contentType, text);
  });
  return router;
}
