/**
 * The OAuth client of a release, between the release use cases and a
 * Provisioner: what the chart declares (resources.yaml, redirect URIs against
 * the release's host), creating, updating and removing the client, keeping
 * its secrets in the secret store, and the values the chart receives
 * (`appstore_generated_data.dataporten.{id, client_secret, owner, scopes,
 * authorized_groups}`), which go to Tiller only, never into the record.
 */
import { AppStoreError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import { readClientDeclaration, resolveRedirectUris, type ChartFileLike } from './resources-file.js';
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

  /**
   * The client a chart declares for these values, or undefined. Checked before
   * anything is provisioned or installed: a bad declaration or a missing host is a 422.
   */
  declared(files: readonly ChartFileLike[], values: Readonly<Record<string, unknown>>): ClientRequest | undefined {
    const declaration = readClientDeclaration(files);
    if (!declaration) return undefined;
    if (!this.deps.provisioner) {
      this.deps.log.info('the chart declares an OAuth client, but no provisioner is configured (APPSTORE_PROVISIONER); none is made');
      return undefined;
    }
    return { scopes: declaration.scopes, redirectUris: resolveRedirectUris(declaration.redirectUris, values.host) };
  }

  /** Registers the client and keeps its secrets; nothing is left behind when either fails. */
  async create(release: ReleaseRef, request: ClientRequest, auth: ProvisioningAuth): Promise<{ provisioned: ProvisionedClient; values: GeneratedValues }> {
    const provisioner = this.provisioner();
    const spec = specFor(release, request);
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
    const provisioned = toProvisioned(provisioner, client, spec, secretName);
    return { provisioned, values: generatedValues(client, release, provisioned) };
  }

  /**
   * On upgrade: the client stays; it is updated when the declared scopes or
   * redirect URIs changed (spec undefined: the chart no longer declares one,
   * the client is kept as it is). Answers the values the chart receives.
   */
  async update(release: ReleaseRef, current: ProvisionedClient, request: ClientRequest | undefined, auth: ProvisioningAuth): Promise<{ provisioned: ProvisionedClient; values: GeneratedValues }> {
    const client = await this.registered(release.id, current);
    const spec = request && specFor(release, request);
    if (spec === undefined || (same(spec.scopes, current.scopes) && same(spec.redirectUris, current.redirectUris))) {
      return { provisioned: current, values: generatedValues(client, release, current) };
    }
    const provisioner = this.provisioner(current);
    const updated = await provisioner.update(client, spec, { ...auth, callerId: release.owner });
    // The registration access token may have rotated: keep the new one before anything else.
    const secretName = await this.deps.secrets.put(release.id, updated.secrets);
    this.deps.log.info({ releaseId: release.id, clientId: current.clientId }, 'updated OAuth client');
    const provisioned = toProvisioned(provisioner, updated, spec, secretName);
    return { provisioned, values: generatedValues(updated, release, provisioned) };
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

function toProvisioned(provisioner: Provisioner, client: RegisteredClient, spec: ClientSpec, secretName: string): ProvisionedClient {
  return {
    provisioner: provisioner.kind,
    clientId: client.handle.clientId,
    location: client.handle.location,
    owner: client.handle.owner,
    scopes: [...spec.scopes],
    redirectUris: [...spec.redirectUris],
    secretName,
    state: 'active',
  };
}

/** `scopes` are the ones the chart asked for (a provider may grant fewer, later), the same on install and upgrade. */
function generatedValues(client: RegisteredClient, release: ReleaseRef, provisioned: ProvisionedClient): GeneratedValues {
  return {
    appstore_generated_data: {
      dataporten: {
        id: client.handle.clientId,
        client_secret: client.secrets.clientSecret ?? '',
        owner: client.handle.owner || release.owner,
        scopes: [...provisioned.scopes],
        authorized_groups: [...release.adminGroups],
      },
    },
  };
}

function same(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sortedB = [...b].sort();
  return [...a].sort().every((v, i) => v === sortedB[i]);
}
