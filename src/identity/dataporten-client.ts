/**
 * Dataporten's (Feide's) userinfo and groups endpoints, as documented at
 * docs.feide.no: Dataporten access tokens are opaque, so the userinfo call is
 * the validation (`sub` is the user id), and the groups API lists the user's
 * memberships (`[{id, displayName, type, ...}]`, `[]` for none, 403 for a
 * token not bound to a user). A refused token is a 401 for the caller; an
 * endpoint that fails or does not answer is a 503.
 */
import { invalidToken, upstreamUnavailable } from './identity-errors.js';
import type { DataportenConfig } from './identity-config.js';

export interface DataportenUser {
  readonly sub: string;
  readonly name?: string;
  readonly email?: string;
}

export class DataportenClient {
  constructor(
    private readonly config: DataportenConfig,
    private readonly timeoutMs: number,
  ) {}

  /** The token's user, or undefined when userinfo answers 401 (not a token Dataporten knows). */
  async userinfo(token: string): Promise<DataportenUser | undefined> {
    const res = await this.get('Dataporten userinfo', this.config.userinfoUrl, token);
    if (res.status === 401) return undefined;
    if (res.status >= 400 && res.status < 500) throw invalidToken(`Dataporten userinfo refused the token (${res.status})`);
    const body = await this.json('Dataporten userinfo', res);
    if (!isRecord(body) || typeof body.sub !== 'string' || body.sub === '') {
      throw upstreamUnavailable('Dataporten userinfo', 'the response has no sub');
    }
    return {
      sub: body.sub,
      ...(typeof body.name === 'string' && { name: body.name }),
      ...(typeof body.email === 'string' && body.email.includes('@') && { email: body.email }),
    };
  }

  /** The ids of the groups the token's user belongs to. */
  async groupIds(token: string): Promise<string[]> {
    const res = await this.get('Dataporten groups API', this.config.groupsUrl, token);
    if (res.status >= 400 && res.status < 500) throw invalidToken(`the Dataporten groups API refused the token (${res.status})`);
    const body = await this.json('Dataporten groups API', res);
    if (!Array.isArray(body)) throw upstreamUnavailable('Dataporten groups API', 'the response is not a list');
    const ids = body.flatMap((group: unknown) => (isRecord(group) && typeof group.id === 'string' && group.id ? [group.id] : []));
    return [...new Set(ids)];
  }

  private async get(upstream: string, url: string, token: string): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw upstreamUnavailable(upstream, err);
    }
    if (res.status >= 500 || (res.status >= 300 && res.status < 400)) {
      await res.body?.cancel();
      throw upstreamUnavailable(upstream, `HTTP ${res.status}`);
    }
    return res;
  }

  private async json(upstream: string, res: Response): Promise<unknown> {
    try {
      return await res.json();
    } catch (err) {
      throw upstreamUnavailable(upstream, err);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
