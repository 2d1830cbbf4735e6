/**
 * The OpenID Provider as this store sees it: its discovery document (through
 * openid-client, which checks that the document names the configured issuer)
 * and its JWKS (through jose, which caches keys and refetches on an unknown
 * kid at most every 30 s). Discovery happens on first use and is retried on
 * the next request if it failed, so a provider that is down at start does not
 * keep the store from starting — it answers 503 until the provider is back.
 */
import * as oidc from 'openid-client';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { OidcConfig } from './identity-config.js';
import { upstreamUnavailable } from './identity-errors.js';

export interface DiscoveredIssuer {
  readonly configuration: oidc.Configuration;
  readonly jwks: JWTVerifyGetKey;
}

export class OidcIssuer {
  private discovered: Promise<DiscoveredIssuer> | undefined;

  constructor(
    private readonly config: OidcConfig,
    private readonly timeoutMs: number,
  ) {}

  get(): Promise<DiscoveredIssuer> {
    this.discovered ??= this.discover().catch((err: unknown) => {
      this.discovered = undefined;
      throw upstreamUnavailable('the OpenID Provider', err);
    });
    return this.discovered;
  }

  private async discover(): Promise<DiscoveredIssuer> {
    const { issuer, introspection, audience } = this.config;
    const auth = introspection ? oidc.ClientSecretBasic(introspection.clientSecret) : oidc.None();
    const configuration = await oidc.discovery(new URL(issuer), introspection?.clientId ?? audience, undefined, auth, {
      timeout: Math.ceil(this.timeoutMs / 1000),
      // Plain http only for a provider on this machine (development, tests).
      ...(isLoopbackHttp(issuer) && { execute: [oidc.allowInsecureRequests] }),
    });
    const jwksUri = configuration.serverMetadata().jwks_uri;
    if (!jwksUri) throw new Error('the discovery document has no jwks_uri');
    const jwks = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: this.timeoutMs,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    });
    return { configuration, jwks };
  }
}

export function isLoopbackHttp(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && (hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]');
}
