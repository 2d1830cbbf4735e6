/**
 * Dataporten bearer tokens, as the store's own clients send them: the token is
 * opaque, so userinfo validates it and names the user, and the groups API
 * gives the user's group ids.
 */
import type { DataportenClient } from './dataporten-client.js';
import type { Authenticated, Authenticator, Credentials } from './types.js';

export class DataportenAuthenticator implements Authenticator {
  readonly name = 'dataporten' as const;

  constructor(private readonly client: DataportenClient) {}

  async authenticate(credentials: Credentials): Promise<Authenticated | undefined> {
    const token = credentials.bearer;
    if (!token) return undefined;
    const user = await this.client.userinfo(token);
    if (user === undefined) return undefined;
    const groups = await this.client.groupIds(token);
    return { id: user.sub, ...(user.name !== undefined && { name: user.name }), ...(user.email !== undefined && { email: user.email }), groups, kind: 'user', source: this.name };
  }
}
