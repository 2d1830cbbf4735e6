/**
 * A token service for the test registry, in the shape of the distribution
 * spec's token authentication: `GET /token?service=…&scope=…` with Basic
 * credentials answers `{token, expires_in}`, a JWT signed (ES256, with a `kid`)
 * by a key the registry trusts through its `auth.token.jwks` file. Users and
 * what they may do come from the test; an unknown user or a wrong password is
 * a 401, an anonymous request a token without access.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

export interface TokenIssuerOptions {
  /** username → password. */
  readonly users: Readonly<Record<string, string>>;
  /** The registry's `service` and the issuer name it trusts. */
  readonly service: string;
  readonly issuer: string;
  /** Seconds a token lives. */
  readonly expiresIn?: number;
}

export interface TokenIssuer {
  /** The realm the registry names in its challenges. */
  readonly realm: string;
  /** Writes the JWKS the registry's `auth.token.jwks` reads. */
  writeJwks(path: string): void;
  /** Requests received, newest last (the Basic user, or '' for anonymous, and the scopes). */
  readonly requests: Array<{ user: string; scopes: string[] }>;
  close(): Promise<void>;
}

export async function startTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const requests: Array<{ user: string; scopes: string[] }> = [];
  const server: Server = createServer((req, res) => {
    void answer(req.url ?? '/', req.headers.authorization, options, privateKey, kid, requests).then(({ status, body }) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    writeJwks: (path) => writeFileSync(path, JSON.stringify({ keys: [jwk] })),
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function answer(
  url: string,
  authorization: string | undefined,
  options: TokenIssuerOptions,
  key: CryptoKey,
  kid: string,
  requests: Array<{ user: string; scopes: string[] }>,
): Promise<{ status: number; body: unknown }> {
  const params = new URL(url, 'http://issuer').searchParams;
  const scopes = params.getAll('scope');
  let user = '';
  if (authorization !== undefined) {
    const [scheme, value] = authorization.split(' ');
    const decoded = scheme?.toLowerCase() === 'basic' ? Buffer.from(value ?? '', 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const name = decoded.slice(0, colon);
    if (colon < 0 || options.users[name] === undefined || options.users[name] !== decoded.slice(colon + 1)) {
      requests.push({ user: `refused:${name}`, scopes });
      return { status: 401, body: { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] } };
    }
    user = name;
  }
  requests.push({ user, scopes });
  if (params.get('service') !== options.service) return { status: 400, body: { error: 'unknown service' } };
  // A known user gets what it asks for; an anonymous caller gets a token that grants nothing.
  const access = user === '' ? [] : scopes.flatMap(parseScope);
  const expiresIn = options.expiresIn ?? 300;
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ access })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuer(options.issuer)
    .setSubject(user)
    .setAudience(options.service)
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(now + expiresIn)
    .setJti(randomUUID())
    .sign(key);
  return { status: 200, body: { token, access_token: token, expires_in: expiresIn, issued_at: new Date(now * 1000).toISOString() } };
}

/** `repository:a/b:pull,push` → the claim's access entry (names may contain colons only in the type's last part). */
function parseScope(scope: string): Array<{ type: string; name: string; actions: string[] }> {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return [];
  return [{ type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',') }];
}
