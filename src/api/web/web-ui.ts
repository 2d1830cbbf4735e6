/**
 * Serves the built single-page app on the API's own origin: the shell at GET /
 * (no API route answers /), hashed assets under /assets/ cached for a year,
 * and /ui/config.json. The SPA routes in the URL fragment (#/packages/…), so
 * none of its pages shadows an API path and JSON clients see the API unchanged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import compression from 'compression';
import express, { Router } from 'express';
import { clientConfig, type UiConfig } from './ui-config.js';
import { securityHeaders } from './security-headers.js';

const YEAR_SECONDS = 365 * 24 * 3600;

/** The UI's routes, or undefined when its folder holds no built index.html (the API then runs alone). */
export function webUiRoutes(config: UiConfig): Router | undefined {
  const dir = resolve(config.dir);
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) return undefined;
  const index = readFileSync(indexFile);
  const settings = JSON.stringify(clientConfig(config));
  const router = Router();
  // The UI's own responses only (the API's are left as they were): JavaScript and CSS travel gzipped.
  const compress = compression();
  const headers = securityHeaders(config.oidc ? [new URL(config.oidc.issuer).origin] : []);

  router.get(['/', '/index.html'], compress, headers, (_req, res) => {
    // The shell names the hashed assets of this build: it is revalidated on every load.
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(index);
  });
  router.get('/ui/config.json', headers, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('json').send(settings);
  });
  router.use(
    '/assets',
    compress,
    headers,
    express.static(join(dir, 'assets'), {
      index: false,
      redirect: false,
      fallthrough: true,
      // File names carry a content hash: a changed file is a new URL.
      setHeaders: (res) => res.setHeader('Cache-Control', `public, max-age=${YEAR_SECONDS}, immutable`),
    }),
  );
  return router;
}
