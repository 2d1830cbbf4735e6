/**
 * A TEST DOUBLE of Dataporten's client administration API (clientadm), not
 * Dataporten: the real service cannot be reached from here. Written from the
 * API's published README ("Client Administration API for Dataporten",
 * UNINETT/Feide):
 *
 * - POST /clients/ with {name, scopes_requested, redirect_uri} → 201, the
 *   client as JSON and its URL in Location. `name` must be given;
 *   scopes_requested and redirect_uri need at least one member (else 400).
 *   `owner` is the token's user; `id`, `created`, `updated` and `scopes` are
 *   set by the system; `scopes` holds the requested scopes whose policy is
 *   auto (here: the autoScopes list).
 * - PATCH /clients/{id} → 200 and the client; id, owner, created, scopes,
 *   updated in the body are ignored; 403 for a client of another owner, 404
 *   for none.
 * - GET /clients/{id} → 200 or 404.
 * - DELETE /clients/{id} → 204; 403 for a client of another owner. (The README
 *   names no answer for an unknown id; the double answers 404.)
 *
 * Every call needs a bearer token the double knows (401 otherwise), so tests
 * see which user's token the store acted with. The README mentions platform
 * administrators (who may list every owner's clients); the double ASSUMES
 * they may also change and delete any client — that is how a store-wide
 * token (APPSTORE_CLIENTADM_TOKEN_FILE) could let reconciliation finish a
 * deletion; the README does not say so. The README's examples show
 * client_secret "" on creation; the double issues a secret, as Dataporten
 * does for confidential clients, so that charts receive one. A switch makes
 * the API answer 500 or drop connections.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ClientadmDoubleClient {
  id: string;
  name: string;
  owner: string;
  client_secret: string;
  scopes_requested: string[];
  scopes: string[];
  redirect_uri: string[];
  descr: string;
  type: string;
  status: string[];
  created: string;
  updated: string;
}

export type ClientadmMode = 'ok' | 'error' | 'down';

export interface ClientadmDouble {
  /** Base URL, as APPSTORE_CLIENTADM_URL (e.g. https://clientadmin.dataporten-api.no). */
  readonly url: string;
  /** Makes `token` a valid token of the Dataporten user `userId` (a UUID); a platform admin may manage any client. */
  addToken(token: string, userId: string, options?: { platformAdmin?: boolean }): void;
  setMode(mode: ClientadmMode): void;
  /** The registered clients, by id. */
  readonly clients: ReadonlyMap<string, ClientadmDoubleClient>;
  /** Every request received: method, path and the user whose token it carried. */
  readonly requests: ReadonlyArray<{ method: string; path: string; user?: string }>;
  close(): Promise<void>;
}

const DEFAULT_AUTO_SCOPES = ['openid', 'profile', 'email', 'userid', 'groups'];

export async function startClientadmDouble(options: { autoScopes?: readonly string[] } = {}): Promise<ClientadmDouble> {
  const autoScopes = new Set(options.autoScopes ?? DEFAULT_AUTO_SCOPES);
  const tokens = new Map<string, string>();
  const admins = new Set<string>();
  const clients = new Map<string, ClientadmDoubleClient>();
  const requests: Array<{ method: string; path: string; user?: string }> = [];
  let mode: ClientadmMode = 'ok';

  const server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://double').pathname;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const user = bearer === undefined ? undefined : tokens.get(bearer);
    requests.push({ method: req.method ?? '', path, ...(user !== undefined && { user }) });
    if (mode === 'down') return void req.socket.destroy();
    if (mode === 'error') return json(res, 500, { message: 'internal error' });
    if (user === undefined) return json(res, 401, { message: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
    const body = req.method === 'POST' || req.method === 'PATCH' ? await readJson(req) : undefined;
    const now = new Date().toISOString();

    if (req.method === 'POST' && path === '/clients/') {
      if (!isRecord(body) || typeof body.name !== 'string' || body.name === '' || !nonEmptyStrings(body.scopes_requested) || !nonEmptyStrings(body.redirect_uri)) {
        return json(res, 400, { message: 'request body violates the schema' });
      }
      const client: ClientadmDoubleClient = {
        id: randomUUID(),
        name: body.name,
        owner: user,
        client_secret: randomUUID(),
        scopes_requested: body.scopes_requested,
        scopes: body.scopes_requested.filter((s) => autoScopes.has(s)),
        redirect_uri: body.redirect_uri,
        descr: typeof body.descr === 'string' ? body.descr : '',
        type: '',
        status: [],
        created: now,
        updated: now,
      };
      clients.set(client.id, client);
      return json(res, 201, client, { location: `/clients/${client.id}` });
    }
    const match = /^\/clients\/([^/]+)$/.exec(path);
    const client = match ? clients.get(decodeURIComponent(match[1]!)) : undefined;
    if (!match) return json(res, 404, { message: 'not found' });
    if (!client) return json(res, 404, { message: 'client not found' });
    if (req.method === 'GET') return json(res, 200, client);
    if (client.owner !== user && !admins.has(user)) return json(res, 403, { message: 'not the owner of the client' });
    if (req.method === 'PATCH') {
      if (!isRecord(body)) return json(res, 400, { message: 'malformed body' });
      if (body.name !== undefined && (typeof body.name !== 'string' || body.name === '')) return json(res, 400, { message: 'bad name' });
      if (body.scopes_requested !== undefined && !nonEmptyStrings(body.scopes_requested)) return json(res, 400, { message: 'bad scopes_requested' });
      if (body.redirect_uri !== undefined && !nonEmptyStrings(body.redirect_uri)) return json(res, 400, { message: 'bad redirect_uri' });
      if (typeof body.name === 'string') client.name = body.name;
      if (typeof body.descr === 'string') client.descr = body.descr;
      if (nonEmptyStrings(body.redirect_uri)) client.redirect_uri = body.redirect_uri;
      if (nonEmptyStrings(body.scopes_requested)) {
        client.scopes_requested = body.scopes_requested;
        client.scopes = body.scopes_requested.filter((s) => autoScopes.has(s));
      }
      client.updated = now;
      // Only its creation answers the secret.
      return json(res, 200, { ...client, client_secret: '' });
    }
    if (req.method === 'DELETE') {
      clients.delete(client.id);
      res.writeHead(204).end();
      return;
    }
    json(res, 405, { message: 'method not allowed' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    addToken: (token, userId, tokenOptions) => {
      tokens.set(token, userId);
      if (tokenOptions?.platformAdmin) admins.add(userId);
    },
    setMode: (next) => {
      mode = next;
    },
    clients,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v !== '');
}
