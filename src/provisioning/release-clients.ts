/**
 * The OAuth client of a release, between the release use cases and a
 * Provisioner: what the chart declares (resources.yaml: the union of its
 * `dataporten` and `aai` sections, redirect URIs resolved against the values
 * the chart renders with), creating, updating and removing the one client,
 * keeping its secrets in the secret store, and the values the chart receives,
 * which go to Tiller only, never into the record:
 *
 * - `appstore_generated_data.dataporten.{id, client_secret, owner, scopes, authorized_groups}` (charts of 2017–2019),
 * - `appstore_generated_data.aai.{client_id, client_secret, issuer_url, scopes, authorized_principals, owner,
 *   userinfo_url, token_url, auth_url}` (the same client, with the issuer's endpoints from its discovery document),
 * - `appstore_generated_data.appstore_meta_data.contact_email`, the owner's email when the identity provider gave one.
 */
import { readClientDeclaration, type ChartFileLike } from '../charts/resources-file.js';
import { AppStoreError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import type { IssuerEndpoints } from './issuer-discovery.js';
import { resolveRedirectUris } from './redirect-uris.js';
import type { ClientSecretStore, ClientSpec, ProvisionedClient, Provisioner, ProvisioningAuth, RegisteredClient } from './types.js';

export type GeneratedValues = Record<string, unknown>;

/** What a chart declares, resolved for a release's values; the client's name comes from the release. */
export type ClientRequest = Omit<ClientSpec, 'name'>;

export interface ReleaseRef {
  readonly id: string;
  readonly owner: string;
  readonly adminGroups: readonly string[];
}

export interface ReleaseClientsDeps {
  /** Undefined: this store provisions nothing (charts that declare a client install without one). */
  readonly provisioner?: Provisioner;
  readonly secrets: ClientSecretStore;
  readonly log: Logger;
}

export class ReleaseClients {
  constructor(private readonly deps: ReleaseClientsDeps) {}

  get enabled(): boolean {
    return this.deps.provisioner !== undefined;
  }

  /** Which kind of provider makes the clients, or undefined when none is configured. */
  get kind(): Provisioner['kind'] | undefined {
    return this.deps.provisioner?.kind;
  }

  /**
   * The client a chart declares for these values (the chart's defaults merged
   * with the user's), or undefined. Checked before anything is provisioned or
   * installed: a bad declaration or a missing host is a 422. Without a
   * provisioner the declaration is still read (a malformed one is refused
   * alike), but no client is requested: the chart installs with its defaults.
   */
  declared(files: readonly ChartFileLike[], values: Readonly<Record<string, unknown>>): ClientRequest | undefined {
    const declaration = readClientDeclaration(files);
    if (!declaration) return undefined;
    if (!this.deps.provisioner) {
      this.deps.log.info('the chart declares an OAuth client, but no provisioner is configured (APPSTORE_PROVISIONER); none is made');
      return undefined;
    }
    return { scopes: declaration.scopes, redirectUris: resolveRedirectUris(declaration.redirectUris, values) };
  }

  /** Registers the client and keeps its secrets; nothing is left behind when either fails. */
  async create(release: ReleaseRef, request: ClientRequest, auth: ProvisioningAuth): Promise<{ provisioned: ProvisionedClient; values: GeneratedValues }> {
    const provisioner = this.provisioner();
    const spec = specFor(release, request);
    // Before the client is made: without the issuer's endpoints the chart could not use it.
    const issuer = await provisioner.issuerEndpoints();
    const client = await provisioner.create(spec, { ...auth, callerId: release.owner });
    let secretName: string;
    try {
      secretName = await this.deps.secrets.put(release.id, client.secrets);
    } catch (err) {
      await provisioner.delete(client, auth).catch((cleanup: unknown) =>
        this.deps.log.error({ releaseId: release.id, clientId: client.handle.clientId, err: AppStoreError.from(cleanup).message }, 'could not remove a client whose secrets could not be kept'),
      );
      throw err;
    }
    this.deps.log.info({ releaseId: release.id, clientId: client.handle.clientId, provisioner: provisioner.kind }, 'registered OAuth client');
    const provisioned = toProvisioned(provisioner, client, spec, secretName, auth.callerEmail);
    return { provisioned, values: generatedValues(client, release, provisioned, issuer) };
  }

  /**
   * On upgrade: the client stays; it is updated when the declared scopes or
   * redirect URIs changed (spec undefined: the chart no longer declares one,
   * the client is kept as it is). Answers the values the chart receives.
   */
  async update(release: ReleaseRef, current: ProvisionedClient, request: ClientRequest | undefined, auth: ProvisioningAuth): Promise<{ provisioned: ProvisionedClient; values: GeneratedValues }> {
    const client = await this.registered(release.id, current);
    const spec = request && specFor(release, request);
    const provisioner = this.provisioner(current);
    const issuer = await provisioner.issuerEndpoints();
    if (spec === undefined || (same(spec.scopes, current.scopes) && same(spec.redirectUris, current.redirectUris))) {
      return { provisioned: current, values: generatedValues(client, release, current, issuer) };
    }
    const updated = await provisioner.update(client, spec, { ...auth, callerId: release.owner });
    // The registration access token may have rotated: keep the new one before anything else.
    const secretName = await this.deps.secrets.put(release.id, updated.secrets);
    this.deps.log.info({ releaseId: release.id, clientId: current.clientId }, 'updated OAuth client');
    const provisioned = toProvisioned(provisioner, updated, spec, secretName, current.contactEmail);
    return { provisioned, values: generatedValues(updated, release, provisioned, issuer) };
  }

  /** Removes the client at its provider, then its secrets. Throws when the provider could not be reached. */
  async remove(releaseId: string, current: ProvisionedClient, auth: ProvisioningAuth = {}): Promise<void> {
    const provisioner = this.provisioner(current);
    const secrets = (await this.deps.secrets.get(releaseId)) ?? {};
    await provisioner.delete(registeredFrom(current, secrets), auth);
    await this.deps.secrets.delete(releaseId);
    this.deps.log.info({ releaseId, clientId: current.clientId }, 'removed OAuth client');
  }

  private async registered(releaseId: string, current: ProvisionedClient): Promise<RegisteredClient> {
    return registeredFrom(current, (await this.deps.secrets.get(releaseId)) ?? {});
  }

  private provisioner(current?: ProvisionedClient): Provisioner {
    const provisioner = this.deps.provisioner;
    if (!provisioner) throw new AppStoreError('FailedPrecondition', 'no client provisioner is configured (APPSTORE_PROVISIONER)');
    if (current && current.provisioner !== provisioner.kind) {
      throw new AppStoreError('FailedPrecondition', `the release's client was made by ${current.provisioner}, but this store is configured for ${provisioner.kind}`);
    }
    return provisioner;
  }
}

function specFor(release: ReleaseRef, request: ClientRequest): ClientSpec {
  return { name: `appstore-${release.id}`, ...request };
}

function registeredFrom(current: ProvisionedClient, secrets: RegisteredClient['secrets']): RegisteredClient {
  return { handle: { clientId: current.clientId, location: current.location, owner: current.owner, scopes: current.scopes }, secrets };
}

function toProvisioned(provisioner: Provisioner, client: RegisteredClient, spec: ClientSpec, secretName: string, contactEmail: string | undefined): ProvisionedClient {
  return {
    provisioner: provisioner.kind,
    clientId: client.handle.clientId,
    location: client.handle.location,
    owner: client.handle.owner,
    scopes: [...spec.scopes],
    redirectUris: [...spec.redirectUris],
    secretName,
    state: 'active',
    ...(contactEmail !== undefined && { contactEmail }),
  };
}

/**
 * `scopes` are the ones the chart asked for (a provider may grant fewer,
 * later), the same on install and upgrade. One client answers both sections;
 * the aai endpoints are empty when the provisioner knows no issuer.
 */
function generatedValues(client: RegisteredClient, release: ReleaseRef, provisioned: ProvisionedClient, issuer: IssuerEndpoints | undefined): GeneratedValues {
  const owner = client.handle.owner || release.owner;
  const secret = client.secrets.clientSecret ?? '';
  return {
    appstore_generated_data: {
      dataporten: {
        id: client.handle.clientId,
        client_secret: secret,
        owner,
        scopes: [...provisioned.scopes],
        authorized_groups: [...release.adminGroups],
      },
      aai: {
        client_id: client.handle.clientId,
        client_secret: secret,
        issuer_url: issuer?.issuer ?? '',
        scopes: [...provisioned.scopes],
        authorized_principals: [...release.adminGroups],
        owner,
        userinfo_url: issuer?.userinfoEndpoint ?? '',
        token_url: issuer?.tokenEndpoint ?? '',
        auth_url: issuer?.authorizationEndpoint ?? '',
      },
      ...(provisioned.contactEmail !== undefined && { appstore_meta_data: { contact_email: provisioned.contactEmail } }),
    },
  };
}

function same(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sortedB = [...b].sort();
  return [...a].sort().every((v, i) => v === sortedB[i]);
}
