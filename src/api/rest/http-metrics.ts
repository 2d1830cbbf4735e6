/**
 * REST request counts and durations by method, route pattern and status.
 * The route is express's pattern (`/releases/:id`), never the raw path, so
 * the label set stays bounded; requests that matched no route (404s, and
 * requests refused by a middleware before routing, such as a 401) are
 * counted under `unmatched`.
 */
import type { Request, RequestHandler } from 'express';
import type { Metrics } from '../../observability/metrics.js';

export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      metrics.observeHttp({ method: req.method, route: routeOf(req), status: res.statusCode, seconds: (performance.now() - started) / 1000 });
    });
    next();
  };
}

function routeOf(req: Request): string {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : 'unmatched';
}
