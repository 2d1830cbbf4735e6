/**
 * The steps of the release use cases that concern a release's OAuth client
 * (see provisioning/): made and recorded before Tiller installs, kept or
 * updated on upgrade, deleted before a record is let go — and, when the
 * provider cannot delete it, the record kept (hidden, deleting) for
 * reconciliation to retry.
 */
import { AppStoreError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import type { ClientRequest, ProvisioningAuth, ReleaseClients } from '../provisioning/index.js';
import type { Chart } from '../../gen/hapi/chart/chart.js';
import type { ReleaseRecord, ReleaseStore } from './types.js';
import { renderValues, type Values } from './values.js';

/** A client declaration is read from a chart's files, against the values the chart renders with. */
type ClientChart = Chart;

/**
 * Removing a release's client before its record is let go: the one way the
 * release use cases and reconciliation both take.
 */
export class ClientRemoval {
  constructor(private readonly deps: { readonly store: ReleaseStore; readonly clients?: Pick<ReleaseClients, 'remove'>; readonly log: Logger }) {}

  /** Deletes the record's client, if it has one: undefined when gone (or none), else why not (logged). */
  async drop(record: ReleaseRecord, auth: ProvisioningAuth): Promise<AppStoreError | undefined> {
    if (!record.provisioned) return undefined;
    try {
      if (!this.deps.clients) throw new AppStoreError('FailedPrecondition', 'no client provisioner is configured');
      await this.deps.clients.remove(record.id, record.provisioned, auth);
      return undefined;
    } catch (err) {
      const failure = AppStoreError.from(err);
      this.deps.log.warn({ releaseId: record.id, clientId: record.provisioned.clientId, err: failure.message }, 'could not delete OAuth client; reconciliation retries');
      return failure;
    }
  }

  /** Hidden from callers (deleting), with its client marked for reconciliation to delete; no write when it is so already. */
  async keepForReconcile(record: ReleaseRecord): Promise<ReleaseRecord> {
    if (record.state === 'deleting' && (!record.provisioned || record.provisioned.state === 'delete-pending')) return record;
    return this.deps.store.update({
      ...record,
      state: 'deleting',
      ...(record.provisioned && { provisioned: { ...record.provisioned, state: 'delete-pending' as const } }),
      updatedAt: new Date().toISOString(),
    });
  }
}

export class ReleaseClientSteps {
  private readonly removal: ClientRemoval;

  constructor(private readonly deps: { readonly store: ReleaseStore; readonly clients?: ReleaseClients; readonly log: Logger }) {
    this.removal = new ClientRemoval(deps);
  }

  /**
   * The client the chart declares, resolved against the values it will render
   * with (its defaults merged with the user's): a 422 for a bad declaration.
   */
  declared(chart: ClientChart, values: Values): ClientRequest | undefined {
    return this.deps.clients?.declared(chart.files, renderValues(chart, values));
  }

  /** Registers the client a chart declares for a new record, and records it; on failure the record goes and the error is the provider's. */
  async provision(record: ReleaseRecord, declared: ClientRequest, auth: ProvisioningAuth) {
    const clients = this.deps.clients!;
    let created: Awaited<ReturnType<ReleaseClients['create']>>;
    try {
      created = await clients.create(record, declared, auth);
    } catch (err) {
      await this.deps.store.delete(record.id);
      throw err;
    }
    const withClient: ReleaseRecord = { ...record, provisioned: created.provisioned };
    try {
      return { record: await this.deps.store.update(withClient), values: created.values };
    } catch (err) {
      if ((await this.drop(withClient, auth)) === undefined) await this.deps.store.delete(record.id).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Upgrade: the existing client (updated if the declaration changed), or one the new chart version declares, then
   * recorded (`record` is the record as written, for the next update).
   */
  async upgrade(current: ReleaseRecord, chart: ClientChart, values: Values, auth: ProvisioningAuth) {
    const clients = this.deps.clients;
    if (!clients) return undefined;
    const declared = clients.declared(chart.files, renderValues(chart, values));
    if (current.provisioned) return { created: false, record: current, ...(await clients.update(current, current.provisioned, declared, auth)) };
    if (!declared) return undefined;
    const created = await clients.create(current, declared, auth);
    const record = await this.deps.store.update({ ...current, provisioned: created.provisioned });
    return { created: true, record, ...created };
  }

  /**
   * Rollback: the existing client is updated to what the restored revision
   * declares; answers the record's client as it now is. A failure to update is
   * logged, not thrown: Tiller has already rolled back.
   */
  async follow(current: ReleaseRecord, chart: ClientChart | undefined, values: Values, auth: ProvisioningAuth) {
    const clients = this.deps.clients;
    if (!clients || !current.provisioned) return current.provisioned;
    try {
      const declared = chart && clients.declared(chart.files, renderValues(chart, values));
      return (await clients.update(current, current.provisioned, declared, auth)).provisioned;
    } catch (err) {
      this.deps.log.warn({ releaseId: current.id, err: AppStoreError.from(err).message }, 'could not update the OAuth client after a rollback; the next upgrade does');
      return current.provisioned;
    }
  }

  /** See ClientRemoval.drop. */
  drop(record: ReleaseRecord, auth: ProvisioningAuth): Promise<AppStoreError | undefined> {
    return this.removal.drop(record, auth);
  }

  /** See ClientRemoval.keepForReconcile. */
  keepForReconcile(record: ReleaseRecord): Promise<ReleaseRecord> {
    return this.removal.keepForReconcile(record);
  }
}
