/**
 * Serves a built chart repository (see chart-repo.ts) over HTTP on loopback,
 * as a Helm client sees a real one: GET/HEAD only, ETag/If-None-Match and
 * Last-Modified/If-Modified-Since (so that a client's caching can be
 * checked), and no path traversal out of the folder.
 */
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

export interface ServeChartRepoOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Loopback by default. */
  host?: string;
}

export interface ServedRequest {
  method: string;
  /** The raw request target, e.g. `/index.yaml`. */
  url: string;
  status: number;
}

export interface ServedChartRepo {
  /** `http://host:port`, without a trailing slash. */
  url: string;
  port: number;
  server: Server;
  /** Every request answered so far, oldest first (e.g. to check a client's caching). */
  requests: ServedRequest[];
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.yaml': 'application/x-yaml',
  '.yml': 'application/x-yaml',
  '.tgz': 'application/gzip',
  '.gz': 'application/gzip',
  '.json': 'application/json',
  '.prov': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/** Serves the files of dir (a built chart repository) over HTTP. */
export async function serveChartRepo(dir: string, options: ServeChartRepoOptions = {}): Promise<ServedChartRepo> {
  const root = await realpath(dir);
  const requests: ServedRequest[] = [];
  const server = createServer((req, res) => {
    handle(root, req, res)
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('internal error\n');
      })
      .finally(() => requests.push({ method: req.method ?? '', url: req.url ?? '', status: res.statusCode }));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    server,
    requests,
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        server.close((err) => (err ? reject(err) : resolveClose()));
        server.closeAllConnections();
      }),
  };
}

async function handle(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const text = (status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(req.method === 'HEAD' ? undefined : `${body}\n`);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    text(405, 'method not allowed', { allow: 'GET, HEAD' });
    return;
  }
  const target = req.url ?? '/';
  const rawPath = target.split(/[?#]/, 1)[0] ?? '';
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    text(400, 'bad request');
    return;
  }
  if (!path.startsWith('/') || path.includes('\0') || path.includes('\\')) {
    text(400, 'bad request');
    return;
  }
  const resolved = resolve(root, `.${path}`);
  if (!within(root, resolved)) {
    text(404, 'not found');
    return;
  }
  let file: string;
  try {
    file = await realpath(resolved);
  } catch {
    text(404, 'not found');
    return;
  }
  const info = within(root, file) ? await stat(file) : undefined;
  if (!info?.isFile()) {
    text(404, 'not found');
    return;
  }
  const body = await readFile(file);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  const lastModified = new Date(Math.floor(info.mtimeMs / 1000) * 1000);
  const headers = {
    etag,
    'last-modified': lastModified.toUTCString(),
    'cache-control': 'no-cache',
  };
  if (notModified(req, etag, lastModified)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, {
    ...headers,
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': String(body.length),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Whether path is root or inside it (both absolute and resolved). */
function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function notModified(req: IncomingMessage, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const tags = ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(etag);
  }
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && lastModified.getTime() <= since;
  }
  return false;
}
