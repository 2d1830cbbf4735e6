/**
 * OpenID Connect Dynamic Client Registration (RFC 7591) with its management
 * protocol (RFC 7592), for Keycloak, oidc-provider and other providers. The
 * registration endpoint is configured, or read from the issuer's discovery
 * document at first use (so that the store starts while the provider is
 * down). Registration may need an initial access token. The answer's
 * registration_access_token and registration_client_uri manage the client
 * afterwards: PUT to change it (the token may rotate), DELETE to remove it,
 * GET to read it. Per RFC 7592 a 401 from the client URI means the client
 * does not exist (any more).
 */
import { IssuerDiscovery, type IssuerEndpoints } from './issuer-discovery.js';
import { callProvider, isRecord, refused, stringsOf, unavailable } from './provider-http.js';
import type { ClientDescription, ClientSpec, Provisioner, ProvisioningAuth, RegisteredClient } from './types.js';

export interface RegistrationOptions {
  /** The registration endpoint, or undefined to discover it from the issuer. */
  readonly registrationUrl?: string;
  readonly issuer?: string;
  /** RFC 7591 initial access token, read when needed (the file may be rotated). */
  readonly initialAccessToken?: () => string | undefined;
  readonly timeoutMs: number;
}

const PROVIDER = 'the OpenID Provider';

export class RegistrationProvisioner implements Provisioner {
  readonly kind = 'oidc-registration' as const;
  private readonly discovery: IssuerDiscovery | undefined;

  constructor(private readonly options: RegistrationOptions) {
    this.discovery = options.issuer === undefined ? undefined : new IssuerDiscovery(options.issuer, options.timeoutMs, PROVIDER);
  }

  async issuerEndpoints(): Promise<IssuerEndpoints | undefined> {
    return this.discovery?.endpoints();
  }

  async create(spec: ClientSpec, auth: ProvisioningAuth): Promise<RegisteredClient> {
    const res = await callProvider(PROVIDER, await this.registrationEndpoint(), {
      method: 'POST',
      token: this.options.initialAccessToken?.(),
      body: metadata(spec),
      timeoutMs: this.options.timeoutMs,
    });
    if (res.status !== 201 && res.status !== 200) throw refused(PROVIDER, 'register the client', res);
    return registered(res.body, spec, auth.callerId ?? '');
  }

  async update(client: RegisteredClient, spec: ClientSpec, _auth: ProvisioningAuth): Promise<RegisteredClient> {
    const res = await callProvider(PROVIDER, client.handle.location, {
      method: 'PUT',
      token: client.secrets.registrationAccessToken,
      // RFC 7592 §2.2: the full metadata, with client_id (and the secret, which the server compares).
      body: {
        ...metadata(spec),
        client_id: client.handle.clientId,
        ...(client.secrets.clientSecret !== undefined && { client_secret: client.secrets.clientSecret }),
      },
      timeoutMs: this.options.timeoutMs,
    });
    if (res.status !== 200) throw refused(PROVIDER, 'update the client', res);
    const updated = registered(res.body, spec, client.handle.owner, client);
    return updated;
  }

  async delete(client: RegisteredClient, _auth: ProvisioningAuth): Promise<void> {
    const res = await callProvider(PROVIDER, client.handle.location, {
      method: 'DELETE',
      token: client.secrets.registrationAccessToken,
      timeoutMs: this.options.timeoutMs,
      passUnauthorized: true,
    });
    if (res.status !== 204 && res.status !== 200 && res.status !== 401 && res.status !== 404) {
      throw refused(PROVIDER, 'delete the client', res);
    }
  }

  async describe(client: RegisteredClient, _auth: ProvisioningAuth): Promise<ClientDescription | undefined> {
    const res = await callProvider(PROVIDER, client.handle.location, {
      method: 'GET',
      token: client.secrets.registrationAccessToken,
      timeoutMs: this.options.timeoutMs,
      passUnauthorized: true,
    });
    if (res.status === 401 || res.status === 404) return undefined;
    if (res.status !== 200 || !isRecord(res.body)) throw refused(PROVIDER, 'read the client', res);
    return { clientId: String(res.body.client_id), scopes: stringsOf(res.body.scope), redirectUris: stringsOf(res.body.redirect_uris) };
  }

  private async registrationEndpoint(): Promise<string> {
    if (this.options.registrationUrl !== undefined) return this.options.registrationUrl;
    if (!this.discovery) throw unavailable(PROVIDER, 'neither a registration endpoint nor an issuer is configured');
    const endpoint = (await this.discovery.endpoints()).registrationEndpoint;
    if (endpoint === undefined) throw unavailable(PROVIDER, 'its discovery document names no registration_endpoint');
    return endpoint;
  }
}

function metadata(spec: ClientSpec): Record<string, unknown> {
  return {
    client_name: spec.name,
    redirect_uris: [...spec.redirectUris],
    scope: spec.scopes.join(' '),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

function registered(body: unknown, spec: ClientSpec, owner: string, previous?: RegisteredClient): RegisteredClient {
  if (!isRecord(body) || typeof body.client_id !== 'string' || body.client_id === '') {
    throw unavailable(PROVIDER, 'the answer has no client_id');
  }
  const location = typeof body.registration_client_uri === 'string' && body.registration_client_uri !== '' ? body.registration_client_uri : previous?.handle.location;
  const token = typeof body.registration_access_token === 'string' && body.registration_access_token !== '' ? body.registration_access_token : previous?.secrets.registrationAccessToken;
  if (location === undefined || token === undefined) {
    throw unavailable(PROVIDER, 'the answer has no registration_client_uri or registration_access_token (is RFC 7592 management enabled?)');
  }
  const secret = typeof body.client_secret === 'string' && body.client_secret !== '' ? body.client_secret : previous?.secrets.clientSecret;
  const scopes = stringsOf(body.scope);
  return {
    handle: { clientId: body.client_id, location, owner, scopes: scopes.length > 0 ? scopes : [...spec.scopes] },
    secrets: { registrationAccessToken: token, ...(secret !== undefined && { clientSecret: secret }) },
  };
}
