/**
 * The JSON REST API: routes translate JSON ↔ appstore.v1 messages and call
 * the same service object the gRPC server exposes. Bodies are JSON of at most
 * 1 MiB; every error is problem+json.
 */
import type { RequestListener } from 'node:http';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import { boundedText, errorText } from '../../domain/error-text.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Authenticate } from '../credentials.js';
import type { AppStoreService } from '../grpc/app-store-service.js';
import { catalogLane } from './catalog-lane.js';
import { ifNoneMatchLimit } from './conditional-get.js';
import { healthRoutes, type ReadinessCheck } from './health.js';
import { httpMetrics } from './http-metrics.js';
import { methodGuard } from './allowed-methods.js';
import { openApiDocument } from './openapi.js';
import { plainProblem, problemOf, sendProblem } from './problem.js';
import { meRoutes } from './routes/me.js';
import { metricsRoutes } from './routes/metrics.js';
import { openApiRoutes } from './routes/openapi.js';
import { packageRoutes } from './routes/packages.js';
import { releaseRoutes } from './routes/releases.js';
import { repositoryRoutes } from './routes/repositories.js';
import { authentication, requestContext, requestScope } from './request-context.js';

export interface RestAppOptions {
  readonly service: AppStoreService;
  readonly authenticate: Authenticate;
  readonly log: Logger;
  readonly readiness: Readonly<Record<string, ReadinessCheck>>;
  /** Request metrics, and GET /metrics. */
  readonly metrics?: Metrics;
  /** Proxies whose X-Forwarded-For names the client (req.ip, which failed sign-ins are counted by). */
  readonly trustProxy?: number | readonly string[];
  /** The web UI's routes (api/web): GET /, /assets/…, /ui/config.json; paths no API route uses. */
  readonly ui?: Router;
}

export const MAX_BODY_BYTES = 1024 * 1024;

/** What the HTTP server serves: the app, with public catalog listings answered before it (catalog-lane.ts). */
export function createRestHandler(options: RestAppOptions): RequestListener {
  const app = createRestApp(options);
  const lane = catalogLane(options);
  return (req, res) => lane(req, res, () => void app(req, res));
}

export function createRestApp(options: RestAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);
  if (options.metrics) app.use(httpMetrics(options.metrics));
  // OPTIONS, and methods a known path does not have (405 + Allow), by the same paths the OpenAPI document lists.
  app.use(methodGuard(openApiDocument.paths, requestContext(options.log)));
  if (options.metrics) app.use(metricsRoutes(options.metrics));
  app.use(healthRoutes(options.readiness));
  app.use(requestContext(options.log));
  app.use(ifNoneMatchLimit);
  if (options.ui) app.use(options.ui);
  app.use(requireJsonBodies);
  app.use(express.json({ limit: MAX_BODY_BYTES, strict: true, type: ['application/json', 'application/*+json'] }));
  // After the body is read: body parsing continues on stream events, outside the request's async context.
  app.use(requestScope);

  // Public: the catalog. Credentials, when given, must still be valid.
  app.use('/packages', authentication(options.authenticate, false));
  app.use(packageRoutes(options.service));
  // Everything else needs an authenticated caller.
  app.use(['/releases', '/namespaces', '/me', '/repositories'], authentication(options.authenticate, true));
  app.use(releaseRoutes(options.service));
  app.use(repositoryRoutes(options.service));
  app.use(meRoutes(options.service));
  app.use(openApiRoutes());

  app.use((req, res) => {
    sendProblem(res, plainProblem(404, `no route for ${req.method} ${req.path}`, req.path, res.locals.requestId));
  });
  app.use(errorHandler);
  return app;
}

/** Requests that carry a body carry JSON: anything else is 415, before it is read. */
const requireJsonBodies: RequestHandler = (req, res, next) => {
  // An empty body passes (validation then reports what is missing); a body of another type does not.
  const empty = req.get('content-length') === '0' || req.is(['application/json', 'application/*+json']) === null;
  if (!['POST', 'PATCH', 'PUT'].includes(req.method) || empty || req.is(['application/json', 'application/*+json'])) return next();
  const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : undefined;
  sendProblem(res, plainProblem(415, 'the request body must be JSON (Content-Type: application/json)', req.path, requestId));
};

const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : undefined;
  const bodyError = err as { type?: string; status?: number; message?: string };
  if (bodyError.type === 'entity.too.large') {
    return sendProblem(res, plainProblem(413, `the request body exceeds ${MAX_BODY_BYTES} bytes`, req.path, requestId));
  }
  if (bodyError.type === 'entity.parse.failed') {
    return sendProblem(res, plainProblem(400, `malformed JSON body: ${bodyError.message ?? ''}`, req.path, requestId));
  }
  if (bodyError.type === 'charset.unsupported' || bodyError.type === 'encoding.unsupported') {
    return sendProblem(res, plainProblem(415, bodyError.message ?? 'unsupported encoding', req.path, requestId));
  }
  const problem = problemOf(err, req.path, requestId);
  // Only the store's own failures are errors; their messages may quote user input, so they are bounded.
  if (problem.status >= 500) {
    const stack = err instanceof Error && err.stack !== undefined ? boundedText(err.stack, 4096) : undefined;
    res.locals.log?.error({ code: problem.code, err: boundedText(errorText(err)), stack }, 'request failed');
  }
  sendProblem(res, problem, err);
};
