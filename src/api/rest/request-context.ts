/** Per-request context for REST handlers: request id, logger, and the principal once authenticated. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Principal } from '../../domain/principal.js';
import type { Logger } from '../../observability/logger.js';
import { withRequestId } from '../../observability/request-scope.js';
import { callerToken, credentialsFrom, hasCredentials, type Authenticate } from '../credentials.js';
import { requestIdFrom } from '../request-id.js';
import type { CallContext } from '../grpc/call-context.js';

interface Locals {
  requestId: string;
  log: Logger;
  principal?: Principal;
  callerToken?: string;
}

export function requestContext(log: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdFrom(req.get('x-request-id'));
    res.setHeader('X-Request-Id', requestId);
    const started = performance.now();
    const locals = res.locals as Locals;
    locals.requestId = requestId;
    locals.log = log.child({ requestId });
    res.on('finish', () => {
      locals.log.info(
        { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'http request',
      );
    });
    next();
  };
}

/** Carries the request id into everything the handlers start (service, Tiller call logs, audit records). */
export const requestScope: RequestHandler = (_req, res, next) => {
  withRequestId((res.locals as Locals).requestId, next);
};

/** Authenticates every request that carries credentials; with required, also those that carry none (→ 401). */
export function authentication(authenticate: Authenticate, required: boolean): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v]),
    );
    const credentials = { ...credentialsFrom(headers), client: req.ip ?? req.socket.remoteAddress };
    if (!required && !hasCredentials(credentials)) return next();
    (res.locals as Locals).principal = await authenticate(credentials);
    (res.locals as Locals).callerToken = callerToken(credentials);
    next();
  };
}

export function callContext(res: Response): CallContext {
  const locals = res.locals as Locals;
  return { principal: locals.principal, requestId: locals.requestId, log: locals.log, callerToken: locals.callerToken };
}
