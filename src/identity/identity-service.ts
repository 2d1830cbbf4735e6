/**
 * Builds the identity room from an IdentityConfig: the authenticator chain in
 * its configured order behind the principal cache, the access policy with
 * its namespace rules, and the audit log. Files (tokens, namespaces) are read
 * here, once, so that a bad file stops the store at start.
 */
import { AuthenticationV1Api, AuthorizationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../config.js';
import type { Principal } from '../domain/principal.js';
import type { Logger } from '../observability/logger.js';
import { AccessPolicy } from './access-policy.js';
import { createAuditLog, type AuditLog } from './audit.js';
import { AuthenticatorChain } from './authenticator-chain.js';
import { DataportenAuthenticator } from './dataporten-authenticator.js';
import { DataportenClient } from './dataporten-client.js';
import { GatekeeperAuthenticator } from './gatekeeper-authenticator.js';
import type { IdentityConfig } from './identity-config.js';
import { readNamespacePolicyFile } from './namespace-policy-file.js';
import { NamespacePolicy } from './namespace-policy.js';
import { OidcAuthenticator } from './oidc-authenticator.js';
import { OidcIssuer } from './oidc-issuer.js';
import { PrincipalCache } from './principal-cache.js';
import { RbacDeployAccess } from './rbac-deploy-access.js';
import { ServiceAccountAuthenticator } from './serviceaccount-authenticator.js';
import { StaticTokenAuthenticator } from './static-token-authenticator.js';
import { readStaticTokenFile } from './static-token-file.js';
import type { Authenticator, AuthenticatorName, Credentials } from './types.js';

export interface IdentityService {
  /** A Principal, or AppStoreError Unauthenticated (401, with details.wwwAuthenticate) / Unavailable (503). */
  authenticate(credentials: Credentials): Promise<Principal>;
  readonly access: AccessPolicy;
  readonly audit: AuditLog;
}

export interface IdentityDependencies {
  readonly logger: Logger;
  /** The cluster, for ServiceAccount tokens (TokenReview) and namespace RBAC (SubjectAccessReview). */
  readonly kubeConfig?: KubeConfig;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

export function createIdentityService(config: IdentityConfig, deps: IdentityDependencies): IdentityService {
  const logger = deps.logger.child({ component: 'identity' });
  const kube = (why: string): KubeConfig => {
    if (!deps.kubeConfig) throw new ConfigError(`${why} needs a Kubernetes configuration (KUBECONFIG or in-cluster)`);
    return deps.kubeConfig;
  };
  const dataporten = new DataportenClient(config.dataporten, config.upstreamTimeoutMs);

  const build = (name: AuthenticatorName): Authenticator => {
    switch (name) {
      case 'static':
        if (config.tokensFile === undefined) throw new ConfigError('the static authenticator needs APPSTORE_TOKENS_FILE');
        return new StaticTokenAuthenticator(readStaticTokenFile(config.tokensFile));
      case 'oidc':
        if (config.oidc === undefined) throw new ConfigError('the oidc authenticator needs APPSTORE_OIDC_ISSUER');
        return new OidcAuthenticator(config.oidc, new OidcIssuer(config.oidc, config.upstreamTimeoutMs));
      case 'dataporten':
        return new DataportenAuthenticator(dataporten);
      case 'gatekeeper':
        if (config.gatekeeper === undefined) throw new ConfigError('the gatekeeper authenticator needs APPSTORE_GATEKEEPER_SECRET');
        return new GatekeeperAuthenticator(config.gatekeeper, dataporten);
      case 'serviceaccount':
        return new ServiceAccountAuthenticator(
          config.serviceAccount,
          kube('APPSTORE_AUTHENTICATORS=serviceaccount').makeApiClient(AuthenticationV1Api),
        );
    }
  };
  const authenticators = config.authenticators.map(build);
  const cache = new PrincipalCache({ ...config.cache, ...(deps.now && { now: deps.now }) });
  const chain = new AuthenticatorChain(authenticators, cache, logger);

  const grants = config.namespaces.file === undefined ? undefined : readNamespacePolicyFile(config.namespaces.file);
  const rbac = config.namespaces.rbac
    ? new RbacDeployAccess(
        kube('APPSTORE_NAMESPACE_RBAC').makeApiClient(AuthorizationV1Api),
        kube('APPSTORE_NAMESPACE_RBAC').makeApiClient(CoreV1Api),
      )
    : undefined;
  const access = new AccessPolicy(new NamespacePolicy(grants, rbac), config);

  logger.info({ authenticators: config.authenticators, namespacesFile: config.namespaces.file ?? null, namespaceRbac: config.namespaces.rbac }, 'identity configured');
  if (authenticators.length === 0) logger.warn('no authenticator is configured: every authenticated call will be refused');
  if (grants === undefined && rbac === undefined) logger.warn('no namespace policy is configured: nobody may deploy');

  return { authenticate: (credentials) => chain.authenticate(credentials), access, audit: createAuditLog(deps.logger) };
}
