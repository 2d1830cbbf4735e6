/**
 * Builds the identity room from an IdentityConfig: the authenticator chain in
 * its configured order behind the principal cache and the limit on failed
 * sign-ins, the access policy with its namespace rules, and the audit log.
 * Files (tokens, namespaces) are read here, so that a bad file stops the store
 * at start, and then watched: a change takes effect within seconds (or at
 * once on reload(), which main.ts calls on SIGHUP), and a change that makes a
 * file invalid is logged and ignored.
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
import { DEFAULT_FAILURES_PER_MINUTE, type IdentityConfig } from './identity-config.js';
import { FailedSignIns, type SignInCounters } from './failed-sign-ins.js';
import { FailureLimiter } from './failure-limiter.js';
import { parseNamespacePolicy, type NamespaceGrants } from './namespace-policy-file.js';
import { NamespacePolicy } from './namespace-policy.js';
import { OidcAuthenticator } from './oidc-authenticator.js';
import { OidcIssuer } from './oidc-issuer.js';
import { CachedDeployAccess } from './cached-deploy-access.js';
import { PrincipalCache } from './principal-cache.js';
import { RbacDeployAccess } from './rbac-deploy-access.js';
import { ServiceAccountAuthenticator } from './serviceaccount-authenticator.js';
import { StaticTokenAuthenticator } from './static-token-authenticator.js';
import { parseStaticTokens, type StaticTokenEntry } from './static-token-file.js';
import type { Authenticator, AuthenticatorName, Credentials } from './types.js';
import { WatchedFile, type Reloadable, type ReloadOutcome, type WatchedFileStatus } from './watched-file.js';

export interface IdentityService {
  /** A Principal, or AppStoreError Unauthenticated (401, with details.wwwAuthenticate) / Unavailable (503). */
  authenticate(credentials: Credentials): Promise<Principal>;
  readonly access: AccessPolicy;
  readonly audit: AuditLog;
  /** Re-reads the tokens and namespaces files now (SIGHUP); what each one found, by variable. */
  reload(): Record<string, ReloadOutcome>;
  /** The watched files and the failed sign-ins, for metrics. */
  status(): IdentityStatus;
  /** Stops watching the files. */
  close(): void;
}

export interface IdentityStatus {
  readonly files: readonly WatchedFileStatus[];
  readonly signIns: SignInCounters;
}

export interface IdentityDependencies {
  readonly logger: Logger;
  /** The cluster, for ServiceAccount tokens (TokenReview) and namespace RBAC (SubjectAccessReview). */
  readonly kubeConfig?: KubeConfig;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
  /** How often the tokens and namespaces files are checked for changes; 0: only on reload(). */
  readonly fileCheckIntervalMs?: number;
}

/** A removed token stops working within this long (plus the poll's own few milliseconds). */
const FILE_CHECK_INTERVAL_MS = 2000;

export function createIdentityService(config: IdentityConfig, deps: IdentityDependencies): IdentityService {
  const logger = deps.logger.child({ component: 'identity' });
  const kube = (why: string): KubeConfig => {
    if (!deps.kubeConfig) throw new ConfigError(`${why} needs a Kubernetes configuration (KUBECONFIG or in-cluster)`);
    return deps.kubeConfig;
  };
  const dataporten = new DataportenClient(config.dataporten, config.upstreamTimeoutMs);
  const files: Reloadable[] = [];
  const watch = <T>(variable: string, path: string, parse: (text: string) => T, onChange: (content: T) => void): WatchedFile<T> => {
    const file = new WatchedFile({ variable, path, parse, onChange, logger });
    files.push(file);
    return file;
  };
  const cache = new PrincipalCache({ ...config.cache, ...(deps.now && { now: deps.now }) });

  const build = (name: AuthenticatorName): Authenticator => {
    switch (name) {
      case 'static':
        if (config.tokensFile === undefined) throw new ConfigError('the static authenticator needs APPSTORE_TOKENS_FILE');
        return staticTokens(config.tokensFile);
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
  /** The authenticator follows the file; a changed file also drops what the cache holds from it. */
  const staticTokens = (path: string): StaticTokenAuthenticator => {
    const authenticator = new StaticTokenAuthenticator([]);
    const file = watch('APPSTORE_TOKENS_FILE', path, (text) => parseStaticTokens(text), (entries: StaticTokenEntry[]) => {
      authenticator.replace(entries);
      cache.forget('static');
    });
    authenticator.replace(file.content);
    return authenticator;
  };
  const authenticators = config.authenticators.map(build);
  const chain = new AuthenticatorChain(authenticators, cache, logger);
  const audit = createAuditLog(deps.logger);
  const limiter = new FailureLimiter({
    perMinute: config.failuresPerMinute ?? DEFAULT_FAILURES_PER_MINUTE,
    maxClients: config.cache.maxEntries,
    ...(deps.now && { now: deps.now }),
  });
  const signIns = new FailedSignIns(chain, limiter, audit, logger);

  const rbac = config.namespaces.rbac
    ? new CachedDeployAccess(
        new RbacDeployAccess(
          kube('APPSTORE_NAMESPACE_RBAC').makeApiClient(AuthorizationV1Api),
          kube('APPSTORE_NAMESPACE_RBAC').makeApiClient(CoreV1Api),
        ),
        config.cache,
      )
    : undefined;
  const namespacePolicy = new NamespacePolicy(new Map(), rbac);
  if (config.namespaces.file !== undefined) {
    const file = watch('APPSTORE_NAMESPACES_FILE', config.namespaces.file, (text) => parseNamespacePolicy(text), (grants: NamespaceGrants) =>
      namespacePolicy.replaceGrants(grants),
    );
    namespacePolicy.replaceGrants(file.content);
  }
  const access = new AccessPolicy(namespacePolicy, config);

  // Only once everything is built: a start that fails leaves no timer behind.
  for (const file of files) file.poll(deps.fileCheckIntervalMs ?? FILE_CHECK_INTERVAL_MS);
  logger.info({ authenticators: config.authenticators, namespacesFile: config.namespaces.file ?? null, namespaceRbac: config.namespaces.rbac }, 'identity configured');
  if (authenticators.length === 0) logger.warn('no authenticator is configured: every authenticated call will be refused');
  if (config.namespaces.file === undefined && rbac === undefined) logger.warn('no namespace policy is configured: nobody may deploy');

  return {
    authenticate: (credentials) => signIns.authenticate(credentials),
    access,
    audit,
    reload: () => Object.fromEntries(files.map((file) => [file.status().variable, file.reload()])),
    status: () => ({ files: files.map((file) => file.status()), signIns: signIns.counters() }),
    close: () => files.forEach((file) => file.stop()),
  };
}
