/**
 * Methods per path, from the OpenAPI document's paths (the route table the
 * app is tested against): a known path asked with a method it does not have
 * is 405 problem+json with an Allow header, and OPTIONS on a known path is
 * 204 with Allow. Unknown paths fall through (to the 404 at the end).
 */
import type { RequestHandler } from 'express';
import { METHODS, type PathItem } from './openapi.js';
import { plainProblem, sendProblem } from './problem.js';

interface PathMethods {
  readonly pattern: RegExp;
  readonly methods: readonly string[];
}

/** `/releases/{id}/status` → a RegExp that matches the paths express routes there (case-insensitive, one trailing slash). */
function patternOf(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`, 'i');
}

export function methodTable(paths: Readonly<Record<string, PathItem>>): readonly PathMethods[] {
  return Object.entries(paths).map(([template, item]) => ({
    pattern: patternOf(template),
    methods: METHODS.filter((m) => item[m] !== undefined).map((m) => m.toUpperCase()),
  }));
}

/** The methods a path answers (HEAD with GET, as express serves it, and OPTIONS), or undefined for an unknown path. */
export function allowedMethods(table: readonly PathMethods[], path: string): readonly string[] | undefined {
  const declared = new Set(table.filter((entry) => entry.pattern.test(path)).flatMap((entry) => entry.methods));
  if (declared.size === 0) return undefined;
  if (declared.has('GET')) declared.add('HEAD');
  declared.add('OPTIONS');
  const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  return order.filter((m) => declared.has(m));
}

/**
 * Answers OPTIONS and unsupported methods on known paths before any router or authentication sees them.
 * `context` (the request-context middleware) runs first for the requests it answers, so that those carry an
 * X-Request-Id and are logged like the others.
 */
export function methodGuard(paths: Readonly<Record<string, PathItem>>, context: RequestHandler): RequestHandler {
  const table = methodTable(paths);
  return (req, res, next) => {
    const allowed = allowedMethods(table, req.path);
    if (allowed === undefined || (req.method !== 'OPTIONS' && allowed.includes(req.method))) return next();
    context(req, res, (err?: unknown) => {
      if (err !== undefined) return next(err);
      res.setHeader('Allow', allowed.join(', '));
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
      const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : undefined;
      sendProblem(res, plainProblem(405, `${req.method} is not supported on ${req.path}; allowed: ${allowed.join(', ')}`, req.path, requestId));
    });
  };
}
