/**
 * The provisioning room's ports: a Provisioner registers, changes and removes
 * the OAuth client a chart declares, at one kind of provider (Dataporten
 * clientadm, RFC 7591/7592 dynamic client registration). What identifies a
 * client is kept with the release record; what must stay secret (its secret,
 * a registration access token) is kept apart, in a Kubernetes Secret.
 */

import type { IssuerEndpoints } from './issuer-discovery.js';

export type ProvisionerKind = 'dataporten' | 'oidc-registration';

/** What a chart asks for, with redirect URIs already absolute. */
export interface ClientSpec {
  /** Shown to users at the provider's consent screen; the release id makes it unique. */
  readonly name: string;
  readonly scopes: readonly string[];
  readonly redirectUris: readonly string[];
}

/** The public facts of a registered client: safe to keep in the release record and to show in status. */
export interface ClientHandle {
  readonly clientId: string;
  /** Where the client lives: its clientadm URL, or its RFC 7592 registration_client_uri. */
  readonly location: string;
  /** The client's owner as the provider reports it (a Dataporten user id), or the caller's id. */
  readonly owner: string;
  /** The scopes the provider granted (Dataporten) or registered. */
  readonly scopes: readonly string[];
}

/** Never logged, never in a record or an API answer. */
export interface ClientSecrets {
  readonly clientSecret?: string;
  /** RFC 7592: the bearer token that manages this one client. */
  readonly registrationAccessToken?: string;
}

export interface RegisteredClient {
  readonly handle: ClientHandle;
  readonly secrets: ClientSecrets;
}

/** Whose authority a call to the provider carries: the caller's bearer token, when the provider acts for users. */
export interface ProvisioningAuth {
  readonly callerToken?: string;
  /** The caller's id, recorded as owner where the provider has no notion of one. */
  readonly callerId?: string;
  /** The caller's email, when the identity provider gives one: the release's contact (appstore_meta_data.contact_email). */
  readonly callerEmail?: string;
}

export interface Provisioner {
  readonly kind: ProvisionerKind;
  create(spec: ClientSpec, auth: ProvisioningAuth): Promise<RegisteredClient>;
  /** Changes name, scopes and redirect URIs; the secrets may change too (RFC 7592 rotates its token). */
  update(client: RegisteredClient, spec: ClientSpec, auth: ProvisioningAuth): Promise<RegisteredClient>;
  /** Removes the client; one that is already gone counts as removed. */
  delete(client: RegisteredClient, auth: ProvisioningAuth): Promise<void>;
  /** The client as the provider sees it now, or undefined when it does not exist. */
  describe(client: RegisteredClient, auth: ProvisioningAuth): Promise<ClientDescription | undefined>;
  /**
   * The endpoints of the issuer the clients belong to (charts receive them as
   * appstore_generated_data.aai.*), or undefined when no issuer is configured.
   */
  issuerEndpoints(): Promise<IssuerEndpoints | undefined>;
}

export interface ClientDescription {
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly redirectUris: readonly string[];
}

/**
 * The client of a release, as its record keeps it. `state`: active, or
 * delete-pending when deleting it failed and reconciliation retries.
 */
export interface ProvisionedClient {
  readonly provisioner: ProvisionerKind;
  readonly clientId: string;
  readonly location: string;
  readonly owner: string;
  readonly scopes: readonly string[];
  readonly redirectUris: readonly string[];
  /** The Secret (in the store's namespace) holding the client's secrets. */
  readonly secretName: string;
  readonly state: 'active' | 'delete-pending';
  /** The owner's email at install, when known: charts receive it as appstore_meta_data.contact_email. */
  readonly contactEmail?: string;
}

/** Where client secrets are kept (a Kubernetes Secret per release). */
export interface ClientSecretStore {
  put(releaseId: string, secrets: ClientSecrets): Promise<string>;
  get(releaseId: string): Promise<ClientSecrets | undefined>;
  delete(releaseId: string): Promise<void>;
}
