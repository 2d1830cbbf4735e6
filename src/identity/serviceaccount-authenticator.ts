/**
 * Kubernetes ServiceAccount tokens, for callers inside the cluster (the gRPC
 * API). The API server is the only one who can vouch for them, so each one is
 * sent to TokenReview with this store's audience: a token minted for another
 * audience (the API server's own, say) is refused, so a token leaked from one
 * service cannot be replayed here. Only service accounts are accepted; other
 * users the API server knows are not this authenticator's business.
 */
import type { AuthenticationV1Api } from '@kubernetes/client-node';
import { decodeJwt, type JWTPayload } from 'jose';
import type { ServiceAccountConfig } from './identity-config.js';
import { invalidToken } from './identity-errors.js';
import { kubeFailure } from './kube-failure.js';
import type { Authenticated, Authenticator, Credentials } from './types.js';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

export class ServiceAccountAuthenticator implements Authenticator {
  readonly name = 'serviceaccount' as const;

  constructor(
    private readonly config: ServiceAccountConfig,
    private readonly api: AuthenticationV1Api,
  ) {}

  async authenticate(credentials: Credentials): Promise<Authenticated | undefined> {
    const token = credentials.bearer;
    if (!token) return undefined;
    let claims: JWTPayload;
    try {
      claims = decodeJwt(token);
    } catch {
      return undefined; // service-account tokens are always JWTs
    }
    const claimed = this.config.issuer !== undefined && claims.iss === this.config.issuer;
    if (this.config.issuer !== undefined && !claimed) return undefined;

    let status;
    try {
      ({ status } = await this.api.createTokenReview({
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences: [this.config.audience] } },
      }));
    } catch (err) {
      throw kubeFailure('TokenReview', err);
    }
    const username = status?.user?.username;
    const authenticated = status?.authenticated === true && status.audiences?.includes(this.config.audience) === true;
    if (!authenticated || username === undefined || !username.startsWith(SERVICE_ACCOUNT_PREFIX)) {
      if (claimed) throw invalidToken('the Kubernetes API did not accept the service-account token for this audience');
      return undefined;
    }
    const [namespace, name, ...rest] = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
    if (!namespace || !name || rest.length > 0) throw invalidToken('the service-account name is malformed');
    return {
      id: username,
      name,
      groups: status?.user?.groups ?? [],
      kind: 'serviceaccount',
      source: this.name,
      ...(typeof claims.exp === 'number' && { expiresAt: claims.exp * 1000 }),
    };
  }
}
