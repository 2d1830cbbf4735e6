/**
 * The release use cases: install, get, list, status, upgrade, rollback,
 * history, delete. Every operation on an existing release first checks that
 * the caller may see it (owner or adminGroup member); to anyone else it does
 * not exist. Changes hold the release's lock.
 *
 * Write order: the record is written (pending) before Tiller installs, and
 * marked deployed after; a failed install is purged from Tiller and its
 * record removed. A crash in between leaves a pending record that
 * reconciliation resolves against Tiller.
 */
import { readValues } from '../charts/index.js';
import { AppStoreError, invalidArgument, notFound } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { Catalog } from '../catalog/types.js';
import type { Logger } from '../observability/logger.js';
import { isReleaseId, newReleaseId } from './release-ids.js';
import { describeStatus, type ReleaseStatusView } from './release-status.js';
import { statusName } from './status-names.js';
import { resolveChart } from './resolve-chart.js';
import type {
  AccessPolicy,
  Audit,
  Locks,
  ReleaseEngine,
  ReleaseRecord,
  ReleaseStore,
  ResourceStatusReader,
  StoredReleaseReader,
} from './types.js';
import { mergeValues, type Values } from './values.js';

export interface InstallInput {
  readonly application: string;
  readonly version: string;
  readonly namespace: string;
  readonly adminGroups: readonly string[];
  readonly development: boolean;
  readonly values: Values;
  readonly dryRun?: boolean;
}

export interface UpgradeInput {
  /** Empty keeps the current version. */
  readonly version: string;
  readonly values?: Values;
  readonly resetValues?: boolean;
}

export interface Revision {
  readonly revision: number;
  readonly version: string;
  readonly status: string;
  readonly updated: string;
  readonly description: string;
}

export interface ReleaseServiceDeps {
  readonly catalog: Catalog;
  readonly engine: ReleaseEngine;
  readonly store: ReleaseStore;
  readonly access: AccessPolicy;
  readonly locks: Locks;
  readonly resources: ResourceStatusReader;
  /** Fast reads of Tiller's stored releases; Tiller's GetReleaseContent when absent or failing. */
  readonly stored?: StoredReleaseReader;
  readonly log: Logger;
  readonly audit: Audit;
  /** Attempts at a free id before giving up. */
  readonly idAttempts?: number;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export class ReleaseService {
  constructor(private readonly deps: ReleaseServiceDeps) {}

  async install(principal: Principal, input: InstallInput): Promise<{ record: ReleaseRecord; manifest?: string; notes?: string }> {
    if (input.dryRun) return this.doInstall(principal, input);
    return this.audited(principal, 'install', undefined, input.namespace, () => this.doInstall(principal, input), (r) => r.record.id);
  }

  private async doInstall(principal: Principal, input: InstallInput): Promise<{ record: ReleaseRecord; manifest?: string; notes?: string }> {
    if (!NAMESPACE.test(input.namespace)) {
      throw invalidArgument(`namespace "${input.namespace}" is not a valid Kubernetes namespace name`, { parameter: 'namespace' });
    }
    if (input.application.trim() === '') throw invalidArgument('application is required', { parameter: 'application' });
    this.deps.access.assertAdminGroupsAllowed(principal, input.adminGroups);
    await this.deps.access.assertMayDeploy(principal, input.namespace);
    const resolved = await resolveChart(this.deps.catalog, input);
    const now = new Date().toISOString();
    const draft = (id: string): ReleaseRecord => ({
      id,
      owner: principal.id,
      application: resolved.application,
      version: resolved.version,
      namespace: input.namespace,
      adminGroups: [...new Set(input.adminGroups)],
      development: input.development,
      values: input.values,
      state: 'pending',
      createdAt: now,
      updatedAt: now,
    });

    if (input.dryRun) {
      const release = await this.deps.engine.install({
        chart: resolved.chart,
        name: newReleaseId(),
        namespace: input.namespace,
        valuesYaml: resolved.valuesYaml,
        dryRun: true,
      });
      return { record: draft(release.name), manifest: release.manifest, notes: release.info?.status?.notes ?? '' };
    }

    for (let attempt = 0; attempt < (this.deps.idAttempts ?? 8); attempt++) {
      const record = draft(newReleaseId());
      try {
        await this.deps.store.create(record);
      } catch (err) {
        if (AppStoreError.from(err).code === 'AlreadyExists') continue;
        throw err;
      }
      try {
        await this.deps.locks.withLock(record.id, () =>
          this.deps.engine.install({
            chart: resolved.chart,
            name: record.id,
            namespace: record.namespace,
            valuesYaml: resolved.valuesYaml,
            description: `installed by appstore for ${principal.id}`,
          }),
        );
      } catch (err) {
        const failure = AppStoreError.from(err);
        if (failure.code === 'AlreadyExists') {
          // Tiller knows the name from elsewhere: give it up, try another.
          await this.deps.store.delete(record.id);
          continue;
        }
        await this.compensateInstall(record, failure);
        throw failure.code === 'InvalidArgument' ? new AppStoreError('Unprocessable', failure.message, failure.details) : failure;
      }
      const deployed: ReleaseRecord = { ...record, state: 'deployed', updatedAt: new Date().toISOString() };
      await this.deps.store.update(deployed);
      return { record: deployed };
    }
    throw new AppStoreError('Conflict', 'could not find a free release id; try again');
  }

  async get(principal: Principal, id: string): Promise<ReleaseRecord> {
    return this.visible(principal, id);
  }

  async list(principal: Principal, page: { limit?: number; offset?: number }): Promise<{ releases: ReleaseRecord[]; total: number }> {
    const all = (await this.deps.store.list())
      .filter((r) => r.state !== 'deleting' && this.deps.access.canSee(principal, r))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    const offset = page.offset ?? 0;
    const releases = all.slice(offset, page.limit === undefined ? undefined : offset + page.limit);
    return { releases, total: all.length };
  }

  async status(principal: Principal, id: string): Promise<ReleaseStatusView> {
    const record = await this.visible(principal, id);
    // The stored release has everything but Tiller's text table of resources, which
    // GetReleaseStatus builds by querying every object (slow) and which is not used here.
    return describeStatus(record, await this.latestRelease(id), this.deps.resources);
  }

  async upgrade(principal: Principal, id: string, input: UpgradeInput): Promise<ReleaseRecord> {
    return this.audited(principal, 'upgrade', id, undefined, () => this.doUpgrade(principal, id, input));
  }

  private async doUpgrade(principal: Principal, id: string, input: UpgradeInput): Promise<ReleaseRecord> {
    const current = await this.visible(principal, id);
    return this.deps.locks.withLock(id, async () => {
      const values = input.resetValues ? (input.values ?? {}) : mergeValues(current.values, input.values ?? {});
      const resolved = await resolveChart(this.deps.catalog, {
        application: current.application,
        // No version: a change of values only.
        version: input.version.trim() === '' ? current.version : input.version,
        development: current.development,
        values,
      });
      await this.deps.engine.upgrade({
        chart: resolved.chart,
        name: id,
        valuesYaml: resolved.valuesYaml,
        resetValues: true,
        description: `upgraded by appstore for ${principal.id}`,
      }).catch((err: unknown) => {
        const failure = AppStoreError.from(err);
        throw failure.code === 'InvalidArgument' ? new AppStoreError('Unprocessable', failure.message, failure.details) : failure;
      });
      const updated: ReleaseRecord = { ...current, version: resolved.version, values, updatedAt: new Date().toISOString() };
      await this.deps.store.update(updated);
      return updated;
    });
  }

  async rollback(principal: Principal, id: string, revision: number): Promise<ReleaseRecord> {
    return this.audited(principal, 'rollback', id, undefined, () => this.doRollback(principal, id, revision));
  }

  private async doRollback(principal: Principal, id: string, revision: number): Promise<ReleaseRecord> {
    const current = await this.visible(principal, id);
    if (!Number.isInteger(revision) || revision < 1) throw invalidArgument('revision must be a positive integer', { parameter: 'revision' });
    return this.deps.locks.withLock(id, async () => {
      const target = await this.deps.engine.content(id, revision).catch((err: unknown) => {
        if (AppStoreError.from(err).code !== 'NotFound') throw err;
        throw new AppStoreError('Unprocessable', `release ${id} has no revision ${revision}`, { parameter: 'revision' });
      });
      await this.deps.engine.rollback({ name: id, revision, description: `rolled back by appstore for ${principal.id}` });
      const values = readValues(target.config?.raw ?? '', `revision ${revision} values`);
      const updated: ReleaseRecord = {
        ...current,
        version: target.chart?.metadata?.version ?? current.version,
        values,
        updatedAt: new Date().toISOString(),
      };
      await this.deps.store.update(updated);
      return updated;
    });
  }

  async history(principal: Principal, id: string): Promise<Revision[]> {
    await this.visible(principal, id);
    const revisions = await this.deps.engine.history(id);
    return revisions
      .map((r) => ({
        revision: r.version,
        version: r.chart?.metadata?.version ?? '',
        status: statusName(r.info?.status?.code),
        updated: r.info?.lastDeployed?.toISOString() ?? '',
        description: r.info?.Description ?? '',
      }))
      .sort((a, b) => b.revision - a.revision);
  }

  async delete(principal: Principal, id: string): Promise<void> {
    return this.audited(principal, 'delete', id, undefined, () => this.doDelete(principal, id));
  }

  private async doDelete(principal: Principal, id: string): Promise<void> {
    const record = await this.visible(principal, id);
    await this.deps.locks.withLock(id, async () => {
      await this.deps.store.update({ ...record, state: 'deleting', updatedAt: new Date().toISOString() });
      await this.purge(id);
      await this.deps.store.delete(id);
    });
  }

  /** Runs a change and writes its audit record: succeeded, denied (403, or 404 for a release hidden from the caller) or failed. */
  private async audited<T>(
    principal: Principal,
    action: 'install' | 'upgrade' | 'rollback' | 'delete',
    releaseId: string | undefined,
    namespace: string | undefined,
    change: () => Promise<T>,
    idOf?: (result: T) => string,
  ): Promise<T> {
    try {
      const result = await change();
      this.deps.audit.record({ principal, action, releaseId: idOf ? idOf(result) : releaseId, namespace, outcome: 'succeeded' });
      return result;
    } catch (err) {
      const failure = AppStoreError.from(err);
      const denied = failure.code === 'PermissionDenied' || failure.code === 'NotFound';
      this.deps.audit.record({ principal, action, releaseId, namespace, outcome: denied ? 'denied' : 'failed', reason: failure.message });
      throw err;
    }
  }

  /** The record, if the caller may see it; NotFound otherwise (no leak of its existence). */
  private async visible(principal: Principal, id: string): Promise<ReleaseRecord> {
    const record = isReleaseId(id) ? await this.deps.store.get(id) : undefined;
    if (!record || record.state === 'deleting' || !this.deps.access.canSee(principal, record)) {
      throw notFound(`release ${id} not found`);
    }
    return record;
  }

  private async latestRelease(id: string) {
    try {
      const stored = await this.deps.stored?.latest(id);
      if (stored) return stored;
    } catch (err) {
      this.deps.log.debug({ releaseId: id, err: AppStoreError.from(err).message }, 'reading Tiller storage failed; asking Tiller');
    }
    return this.deps.engine.content(id);
  }

  private async purge(id: string): Promise<void> {
    try {
      await this.deps.engine.uninstall(id, { purge: true, description: 'deleted by appstore' });
    } catch (err) {
      if (AppStoreError.from(err).code !== 'NotFound') throw err;
    }
  }

  /** A failed install leaves nothing behind: Tiller's failed release is purged and the record removed. */
  private async compensateInstall(record: ReleaseRecord, failure: AppStoreError): Promise<void> {
    try {
      await this.purge(record.id);
      await this.deps.store.delete(record.id);
    } catch (err) {
      // Left pending: reconciliation finishes the clean-up.
      this.deps.log.warn({ releaseId: record.id, err: AppStoreError.from(err).message, cause: failure.message }, 'install compensation incomplete');
    }
  }
}
