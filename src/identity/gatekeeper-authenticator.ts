/**
 * The Dataporten API Gatekeeper mode, as UNINETT deployed its backend: the
 * gatekeeper validated the user's token itself and calls this store with
 * Basic credentials (a shared secret) plus the user's id and token in
 * X-Dataporten-Userid / X-Dataporten-Token. The secret is what makes those
 * headers trustworthy, so it is compared in constant time; the groups come
 * from the groups API with the forwarded token.
 */
import { GATEKEEPER_TOKEN_HEADER, GATEKEEPER_USER_HEADER } from './authenticator-chain.js';
import type { DataportenClient } from './dataporten-client.js';
import type { GatekeeperConfig } from './identity-config.js';
import { invalidToken } from './identity-errors.js';
import { secretsEqual } from './token-hash.js';
import type { Authenticated, Authenticator, Credentials } from './types.js';

export class GatekeeperAuthenticator implements Authenticator {
  readonly name = 'gatekeeper' as const;

  constructor(
    private readonly config: GatekeeperConfig,
    private readonly client: DataportenClient,
  ) {}

  async authenticate(credentials: Credentials): Promise<Authenticated | undefined> {
    const { basic, headers } = credentials;
    if (basic === undefined) return undefined;
    // Both comparisons always run, so timing does not tell which one failed.
    const userOk = secretsEqual(basic.username, this.config.username);
    const secretOk = secretsEqual(basic.password, this.config.secret);
    if (!userOk) return undefined;
    if (!secretOk) throw invalidToken('the gatekeeper credentials are wrong');

    const userId = headers[GATEKEEPER_USER_HEADER]?.trim();
    const token = headers[GATEKEEPER_TOKEN_HEADER]?.trim();
    if (!userId) throw invalidToken('the gatekeeper sent no X-Dataporten-Userid');
    if (!token) throw invalidToken('the gatekeeper sent no X-Dataporten-Token');
    const groups = await this.client.groupIds(token);
    return { id: userId, groups, kind: 'user', source: this.name };
  }
}
