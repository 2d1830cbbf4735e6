/**
 * Dataporten's client administration API (clientadm), as its published
 * README documents it: `POST {base}/clients/` with {name, scopes_requested,
 * redirect_uri} → 201 with the client ({id, owner, client_secret, scopes,
 * ...}); `PATCH {base}/clients/{id}` → 200; `GET {base}/clients/{id}` → 200
 * or 404; `DELETE {base}/clients/{id}` → 204. Every call carries the
 * caller's token, so that the user owns the client, as UNINETT's store did.
 * Without a caller (reconciliation) the configured service token is used,
 * if any.
 */
import { AppStoreError } from '../domain/errors.js';
import { IssuerDiscovery, type IssuerEndpoints } from './issuer-discovery.js';
import { callProvider, isRecord, refused, stringsOf, unavailable } from './provider-http.js';
import type { ClientDescription, ClientSpec, Provisioner, ProvisioningAuth, RegisteredClient } from './types.js';

export interface ClientadmOptions {
  /** e.g. https://clientadmin.dataporten-api.no */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  /** Used when no caller token is at hand (reconciliation retrying a deletion). */
  readonly serviceToken?: () => string | undefined;
  /** Dataporten's OpenID issuer (https://auth.dataporten.no), whose endpoints charts receive. */
  readonly issuer?: string;
}

const PROVIDER = 'Dataporten clientadm';

export class ClientadmProvisioner implements Provisioner {
  readonly kind = 'dataporten' as const;
  private readonly base: string;
  private readonly discovery: IssuerDiscovery | undefined;

  constructor(private readonly options: ClientadmOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.discovery = options.issuer === undefined ? undefined : new IssuerDiscovery(options.issuer, options.timeoutMs, 'Dataporten');
  }

  async issuerEndpoints(): Promise<IssuerEndpoints | undefined> {
    return this.discovery?.endpoints();
  }

  async create(spec: ClientSpec, auth: ProvisioningAuth): Promise<RegisteredClient> {
    const res = await callProvider(PROVIDER, `${this.base}/clients/`, {
      method: 'POST',
      token: this.token(auth),
      body: { name: spec.name, scopes_requested: spec.scopes, redirect_uri: spec.redirectUris },
      timeoutMs: this.options.timeoutMs,
    });
    if (res.status !== 201 && res.status !== 200) throw refused(PROVIDER, 'create the client', res);
    return this.registered(res.body, spec);
  }

  async update(client: RegisteredClient, spec: ClientSpec, auth: ProvisioningAuth): Promise<RegisteredClient> {
    const res = await callProvider(PROVIDER, this.clientUrl(client.handle.clientId), {
      method: 'PATCH',
      token: this.token(auth),
      body: { name: spec.name, scopes_requested: spec.scopes, redirect_uri: spec.redirectUris },
      timeoutMs: this.options.timeoutMs,
    });
    if (res.status !== 200) throw refused(PROVIDER, 'update the client', res);
    const updated = this.registered(res.body, spec);
    // clientadm may answer client_secret "" after creation: keep the one we have then.
    return { handle: updated.handle, secrets: { ...client.secrets, ...updated.secrets } };
  }

  async delete(client: RegisteredClient, auth: ProvisioningAuth): Promise<void> {
    const res = await callProvider(PROVIDER, this.clientUrl(client.handle.clientId), {
      method: 'DELETE',
      token: this.token(auth),
      timeoutMs: this.options.timeoutMs,
    });
    if (res.status !== 204 && res.status !== 200 && res.status !== 404) throw refused(PROVIDER, 'delete the client', res);
  }

  async describe(client: RegisteredClient, auth: ProvisioningAuth): Promise<ClientDescription | undefined> {
    const res = await callProvider(PROVIDER, this.clientUrl(client.handle.clientId), {
      method: 'GET',
      token: this.token(auth),
      timeoutMs: this.options.timeoutMs,
    });
    if (res.status === 404) return undefined;
    if (res.status !== 200 || !isRecord(res.body)) throw refused(PROVIDER, 'describe the client', res);
    return { clientId: String(res.body.id), scopes: stringsOf(res.body.scopes_requested), redirectUris: stringsOf(res.body.redirect_uri) };
  }

  private registered(body: unknown, spec: ClientSpec): RegisteredClient {
    if (!isRecord(body) || typeof body.id !== 'string' || body.id === '') throw unavailable(PROVIDER, 'the answer has no client id');
    const granted = stringsOf(body.scopes);
    const secret = typeof body.client_secret === 'string' && body.client_secret !== '' ? body.client_secret : undefined;
    return {
      handle: {
        clientId: body.id,
        location: this.clientUrl(body.id),
        owner: typeof body.owner === 'string' ? body.owner : '',
        // Dataporten grants scopes by its own policy; until it has, the requested ones are what the app asks for.
        scopes: granted.length > 0 ? granted : [...spec.scopes],
      },
      secrets: secret === undefined ? {} : { clientSecret: secret },
    };
  }

  private clientUrl(id: string): string {
    return `${this.base}/clients/${encodeURIComponent(id)}`;
  }

  private token(auth: ProvisioningAuth): string {
    const token = auth.callerToken ?? this.options.serviceToken?.();
    if (token === undefined || token === '') {
      throw new AppStoreError('FailedPrecondition', `${PROVIDER} acts with the caller's token, and there is none (set APPSTORE_CLIENTADM_TOKEN_FILE for reconciliation)`);
    }
    return token;
  }
}
