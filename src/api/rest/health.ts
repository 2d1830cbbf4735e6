/**
 * Liveness and readiness. /healthz answers as long as the process serves;
 * /readyz asks every dependency the store cannot work without. Their answers
 * are live, never conditional (no ETag, never 304): see sendLive.
 */
import { Router, type Response } from 'express';

export type ReadinessCheck = () => Promise<void>;

export function healthRoutes(checks: Readonly<Record<string, ReadinessCheck>>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    sendLive(res, 200, 'application/json; charset=utf-8', JSON.stringify({ status: 'ok' }));
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await check();
          return [name, 'ok'] as const;
        } catch (err) {
          return [name, err instanceof Error ? err.message : String(err)] as const;
        }
      }),
    );
    const ready = results.every(([, result]) => result === 'ok');
    sendLive(res, ready ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) }));
  });
  return router;
}

/**
 * An answer that is only true now: a probe or a scrape. Written without express's res.send, which would tag it
 * with an ETag and answer 304 to a matching If-None-Match (or to `*`), which a kubelet or Prometheus cannot use.
 */
export function sendLive(res: Response, status: number, contentType: string, body: string): void {
  res.status(status).set({ 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(body);
}
