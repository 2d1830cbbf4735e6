/**
 * Credentials of one OCI repository, presented as registries ask for them:
 * the token flow of the distribution spec (a 401 with `WWW-Authenticate:
 * Bearer realm, service, scope` → a token from the realm, anonymous or with
 * the repository's username and password), Basic auth, or a configured token
 * sent as the bearer token itself.
 *
 * Tokens are cached per scope until shortly before they expire, so a refresh
 * of many charts asks the token service once per chart and scope, not once
 * per request. Credentials go to the registry's own origin, and to the token
 * realm its challenge names only when that is the same origin, the same host,
 * or HTTPS: never in clear text to a third party a registry points at.
 */
import { LRUCache } from 'lru-cache';
import { AppStoreError } from '../../domain/errors.js';
import { httpGet, type FetchFn } from '../http-get.js';
import type { RepoAuth } from '../repo-config.js';
import type { Challenge } from './oci-challenge.js';

export interface RegistryAuthOptions {
  readonly timeoutMs: number;
  readonly fetch: FetchFn | undefined;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

/** What the distribution spec's token endpoint answers. */
interface TokenResponse {
  readonly token: string;
  /** Seconds; 60 when the endpoint does not say. */
  readonly expiresIn: number;
}

/** A token is not used in its last seconds: it must still be valid when the registry checks it. */
const EXPIRY_MARGIN_MS = 10_000;
const DEFAULT_EXPIRES_IN_S = 60;
const MAX_TOKEN_BYTES = 64 * 1024;

export class RegistryAuth {
  private readonly tokens = new LRUCache<string, string>({ max: 512, ttlAutopurge: false, allowStale: false });
  /** Set once the registry asked for Basic auth: later requests send it at once. */
  private basic = false;

  constructor(
    /** The repository's name, for messages. */
    private readonly repoName: string,
    private readonly origin: string,
    private readonly credentials: RepoAuth | undefined,
    private readonly options: RegistryAuthOptions,
  ) {}

  /** The Authorization header for a request to the registry needing `scope`, when the store already has one. */
  headers(url: string, scope: string): Record<string, string> {
    if (new URL(url).origin !== this.origin) return {};
    if (this.credentials?.kind === 'bearer') return { authorization: `Bearer ${this.credentials.token}` };
    const token = this.tokens.get(scope);
    if (token !== undefined) return { authorization: `Bearer ${token}` };
    if (this.basic && this.credentials?.kind === 'basic') return { authorization: basicHeader(this.credentials) };
    return {};
  }

  /**
   * Answers a registry's challenge for `scope`: fetches and caches a token, or
   * notes that Basic auth is wanted. The caller then retries its request once.
   *
   * @throws AppStoreError Unavailable when the challenge cannot be answered (no credentials for Basic, the token
   *   service refusing them): the message names the repository and the service, never the credentials
   */
  async answer(challenge: Challenge, scope: string, signal?: AbortSignal): Promise<void> {
    if (challenge.scheme === 'basic') {
      if (this.credentials?.kind !== 'basic') {
        throw refused(this.repoName, `the registry ${this.origin} wants a username and password; none is configured`);
      }
      if (this.basic) throw refused(this.repoName, `the registry ${this.origin} refused the configured username and password`);
      this.basic = true;
      return;
    }
    const wanted = challenge.scope ?? scope;
    const url = new URL(challenge.realm);
    if (challenge.service !== undefined) url.searchParams.set('service', challenge.service);
    for (const s of wanted.split(' ').filter(Boolean)) url.searchParams.append('scope', s);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.credentials?.kind === 'basic' && this.mayReceiveCredentials(url)) {
      headers.authorization = basicHeader(this.credentials);
    }
    const res = await httpGet(url.href, {
      headers,
      timeoutMs: this.options.timeoutMs,
      maxBytes: MAX_TOKEN_BYTES,
      fetch: this.options.fetch,
      passStatuses: [401, 403],
      ...(signal && { signal }),
    });
    if (res.status === 401 || res.status === 403) {
      const who = headers.authorization ? 'the configured credentials' : 'an anonymous request (no credentials are configured)';
      throw refused(this.repoName, `the registry's token service ${url.origin}${url.pathname} refused ${who} (${res.status})`);
    }
    const token = parseTokenResponse(res.body);
    if (token === undefined) {
      throw refused(this.repoName, `the registry's token service ${url.origin}${url.pathname} answered without a token`);
    }
    // A short-lived token is kept for half its life: long enough for the retry the caller is about to make.
    const lifeMs = token.expiresIn * 1000;
    this.tokens.set(scope, token.token, { ttl: lifeMs > 2 * EXPIRY_MARGIN_MS ? lifeMs - EXPIRY_MARGIN_MS : lifeMs / 2 });
  }

  /** Drops a cached token the registry no longer accepts. */
  forget(scope: string): void {
    this.tokens.delete(scope);
  }

  private mayReceiveCredentials(realm: URL): boolean {
    const registry = new URL(this.origin);
    return realm.origin === registry.origin || realm.protocol === 'https:' || realm.hostname === registry.hostname;
  }
}

function basicHeader(auth: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
}

function parseTokenResponse(body: Buffer): TokenResponse | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const { token, access_token: accessToken, expires_in: expiresIn } = doc as Record<string, unknown>;
  const value = typeof token === 'string' && token !== '' ? token : typeof accessToken === 'string' ? accessToken : '';
  if (value === '') return undefined;
  const seconds = typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_EXPIRES_IN_S;
  return { token: value, expiresIn: seconds };
}

function refused(repo: string, why: string): AppStoreError {
  return new AppStoreError('Unavailable', `repository ${repo}: ${why}`, { reason: 'registry-auth' });
}
