/**
 * The identity room's contracts. Credentials are what the API layers extract
 * from HTTP headers or gRPC metadata; authenticators turn them into a
 * Principal. The shape of Credentials matches src/api/credentials.ts
 * structurally, so that identity never imports from api/ (arrows point down).
 */
import type { Principal } from '../domain/principal.js';

export interface Credentials {
  readonly bearer?: string;
  readonly basic?: { readonly username: string; readonly password: string };
  /** Lower-case header (or metadata) names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The client's network address (REST: req.ip; gRPC: the peer's address), for limiting failed attempts. */
  readonly client?: string;
}

/**
 * A Principal plus how long the credentials behind it stay valid, so that the
 * chain's cache never keeps a principal beyond its token's expiry. Still a
 * Principal: authenticators that know no expiry simply leave it out.
 */
export type Authenticated = Principal & {
  /** Epoch milliseconds after which the credentials are no longer valid. */
  readonly expiresAt?: number;
};

/**
 * One way of recognising a caller. `undefined` means "not mine" (the chain
 * asks the next one); an AppStoreError Unauthenticated means "mine, but
 * invalid" (the chain stops); Unavailable means the authenticator's upstream
 * could not answer (the chain goes on, and reports 503 if nobody else
 * recognises the credentials).
 */
export interface Authenticator {
  readonly name: AuthenticatorName;
  authenticate(credentials: Credentials): Promise<Authenticated | undefined>;
}

export const AUTHENTICATOR_NAMES = ['static', 'oidc', 'dataporten', 'gatekeeper', 'serviceaccount'] as const;
export type AuthenticatorName = (typeof AUTHENTICATOR_NAMES)[number];

/** What a release carries for access decisions. */
export interface ReleaseAccess {
  readonly owner: string;
  readonly adminGroups: readonly string[];
}
