/**
 * The HTTP servers the benchmark measures: the baseline (a bare node:http
 * server answering a precomputed body, the fastest any server can answer
 * that body) and a server for the catalog. The catalog server here is a
 * minimal stand-in over DefaultCatalog.listJson; the store's REST app
 * replaces it by passing its own {@link ServeCatalog} to runCatalogBench.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DefaultCatalog } from '../../src/catalog/index.js';

export interface HttpTarget {
  /** Base URL on loopback, without a trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts an HTTP server answering GET /packages from the catalog. */
export type ServeCatalog = (catalog: DefaultCatalog) => Promise<HttpTarget>;

/** Answers every request with the same bytes. */
export function serveBaseline(body: Buffer): Promise<HttpTarget> {
  return listen((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
    res.end(body);
  });
}

/** GET /packages[?query=&limit=&offset=&deprecated=] → the catalog's precomputed JSON. */
export const serveCatalogMinimal: ServeCatalog = (catalog) =>
  listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/packages') {
      res.writeHead(404).end();
      return;
    }
    const limit = url.searchParams.get('limit');
    const offset = url.searchParams.get('offset');
    catalog
      .listJson({
        query: url.searchParams.get('query') ?? undefined,
        deprecated: url.searchParams.get('deprecated') === 'true',
        ...(limit === null ? {} : { limit: Number(limit) }),
        ...(offset === null ? {} : { offset: Number(offset) }),
      })
      .then(
        (page) => {
          const { body } = page;
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': String(body.length),
            'x-total-count': String(page.total),
          });
          res.end(body);
        },
        (err: unknown) => {
          res.writeHead(500).end(String(err));
        },
      );
  });

function listen(handler: RequestListener): Promise<HttpTarget> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
