/** The identity room: credentials → Principal, the access rules, the audit trail. */
export { canSeeRelease, AccessPolicy } from './access-policy.js';
export { createAuditLog, type AuditAction, type AuditEntry, type AuditLog, type AuditOutcome } from './audit.js';
export { AuthenticatorChain, GATEKEEPER_TOKEN_HEADER, GATEKEEPER_USER_HEADER } from './authenticator-chain.js';
export { loadIdentityConfig, type IdentityConfig } from './identity-config.js';
export { createIdentityService, type IdentityDependencies, type IdentityService, type IdentityStatus } from './identity-service.js';
export { NamespacePolicy } from './namespace-policy.js';
export type { Authenticated, Authenticator, AuthenticatorName, Credentials, ReleaseAccess } from './types.js';
export type { ReloadOutcome } from './watched-file.js';
