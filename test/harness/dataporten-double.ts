/**
 * A TEST DOUBLE of Dataporten (Feide), not Dataporten: the real service
 * cannot be reached from here, so this plays its userinfo and groups
 * endpoints on 127.0.0.1, written from Feide's published API documentation
 * (docs.feide.no, "Userinfo" and "Groups API endpoints"):
 *
 * - GET /openid/userinfo (bearer) → {sub, name, email, email_verified,
 *   picture, "https://n.feide.no/claims/userid_sec": [...], ...}; an unknown
 *   token → 401 with a Bearer challenge;
 * - GET /groups/me/groups (bearer) → a list of groups {id, displayName, type,
 *   membership, ...}, [] for a user in no group.
 *
 * Switches let a test make the groups API (or userinfo) answer 500 or drop
 * the connection, and it counts requests so tests can see the store's cache.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DataportenDoubleGroup {
  readonly id: string;
  readonly displayName: string;
  /** e.g. fc:org, fc:adhoc, fc:gogroup, fc:fs:prg */
  readonly type: string;
}

export interface DataportenDoubleUser {
  /** Dataporten's user id, a UUID. */
  readonly sub: string;
  readonly name: string;
  readonly email?: string;
  readonly feideId?: string;
  readonly groups: readonly DataportenDoubleGroup[];
}

/** 'ok' answers normally; 'error' answers 500; 'down' drops the connection without an answer. */
export type EndpointMode = 'ok' | 'error' | 'down';

export interface DataportenDouble {
  readonly userinfoUrl: string;
  readonly groupsUrl: string;
  /** Makes `token` a valid access token of `user`. */
  addToken(token: string, user: DataportenDoubleUser): void;
  setUserinfo(mode: EndpointMode): void;
  setGroups(mode: EndpointMode): void;
  /** Requests received per endpoint since start. */
  readonly requests: { userinfo: number; groups: number };
  close(): Promise<void>;
}

export async function startDataportenDouble(): Promise<DataportenDouble> {
  const tokens = new Map<string, DataportenDoubleUser>();
  const modes = { userinfo: 'ok' as EndpointMode, groups: 'ok' as EndpointMode };
  const requests = { userinfo: 0, groups: 0 };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://double').pathname;
    const endpoint = req.method !== 'GET' ? undefined : path === '/openid/userinfo' ? 'userinfo' : path === '/groups/me/groups' ? 'groups' : undefined;
    if (endpoint === undefined) return json(res, 404, { error: 'not_found' });
    requests[endpoint]++;
    if (modes[endpoint] === 'down') return void req.socket.destroy();
    if (modes[endpoint] === 'error') return json(res, 500, { error: 'internal_error', message: 'the test double was told to fail' });

    const user = userOf(req, tokens);
    if (user === undefined) {
      res.setHeader('www-authenticate', 'Bearer realm="Dataporten", error="invalid_token"');
      return json(res, 401, { error: 'invalid_token', error_description: 'Invalid token' });
    }
    if (endpoint === 'userinfo') return json(res, 200, userinfo(user));
    return json(res, 200, user.groups.map((g) => ({ ...g, membership: { basic: 'member' }, public: false })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    userinfoUrl: `${base}/openid/userinfo`,
    groupsUrl: `${base}/groups/me/groups`,
    addToken: (token, user) => void tokens.set(token, user),
    setUserinfo: (mode) => void (modes.userinfo = mode),
    setGroups: (mode) => void (modes.groups = mode),
    requests,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function userOf(req: IncomingMessage, tokens: ReadonlyMap<string, DataportenDoubleUser>): DataportenDoubleUser | undefined {
  const match = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1] === undefined ? undefined : tokens.get(match[1]);
}

/** The userinfo shape of Feide's documentation example. */
function userinfo(user: DataportenDoubleUser): Record<string, unknown> {
  const feide = user.feideId === undefined ? [] : [`feide:${user.feideId}`];
  return {
    sub: user.sub,
    'dataporten-userid_sec': feide,
    'https://n.feide.no/claims/userid_sec': feide,
    ...(user.feideId !== undefined && { 'https://n.feide.no/claims/eduPersonPrincipalName': user.feideId }),
    name: user.name,
    ...(user.email !== undefined && { email: user.email, email_verified: false }),
    picture: `https://api.dataporten.no/userinfo/v1/user/media/p:${user.sub}`,
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
