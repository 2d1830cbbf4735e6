/**
 * The endpoints of the OpenID Provider whose clients a provisioner makes, as
 * its discovery document (`/.well-known/openid-configuration`) names them:
 * charts receive them as `appstore_generated_data.aai.{issuer_url, auth_url,
 * token_url, userinfo_url}`. Read at first use and kept once read, so that the
 * store starts while the provider is down; a provider that cannot be read is
 * Unavailable (the client would be useless without them).
 */
import { callProvider, isRecord, unavailable } from './provider-http.js';

export interface IssuerEndpoints {
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userinfoEndpoint: string;
  /** RFC 7591, when the provider offers it. */
  readonly registrationEndpoint?: string;
}

export class IssuerDiscovery {
  private found: Promise<IssuerEndpoints> | undefined;

  constructor(
    private readonly issuer: string,
    private readonly timeoutMs: number,
    private readonly provider = 'the OpenID Provider',
  ) {}

  endpoints(): Promise<IssuerEndpoints> {
    this.found ??= this.discover().catch((err: unknown) => {
      this.found = undefined;
      throw err;
    });
    return this.found;
  }

  private async discover(): Promise<IssuerEndpoints> {
    const base = this.issuer.replace(/\/+$/, '');
    const res = await callProvider(this.provider, `${base}/.well-known/openid-configuration`, { method: 'GET', timeoutMs: this.timeoutMs });
    if (res.status !== 200 || !isRecord(res.body)) throw unavailable(this.provider, `discovery answered ${res.status}`);
    const doc = res.body;
    const text = (key: string): string => {
      const value = doc[key];
      if (typeof value !== 'string' || value === '') throw unavailable(this.provider, `its discovery document names no ${key}`);
      return value;
    };
    const registration = doc.registration_endpoint;
    return {
      issuer: text('issuer'),
      authorizationEndpoint: text('authorization_endpoint'),
      tokenEndpoint: text('token_endpoint'),
      userinfoEndpoint: text('userinfo_endpoint'),
      ...(typeof registration === 'string' && registration !== '' && { registrationEndpoint: registration }),
    };
  }
}
