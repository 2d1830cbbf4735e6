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
import { AppStoreError, notFound } from '../domain/errors.js';
import { boundedText } from '../domain/error-text.js';
import type { Principal } from '../domain/principal.js';
import type { Release as TillerRelease } from '../../gen/hapi/release/release.js';
import type { ClientRequest, ProvisioningAuth } from '../provisioning/index.js';
import { changeFailure } from './engine-failures.js';
import { InputLimits } from './input-limits.js';
import { auditedChange, auditedDryRun } from './audited-change.js';
import { userValues, type ChangePreview } from './change-preview.js';
import { ReleasePreviews } from './release-previews.js';
import { ReleaseClientSteps } from './release-client-steps.js';
import { checkRevision, ReleaseReads } from './release-reads.js';
import { isReleaseId, newReleaseId } from './release-ids.js';
import type { ReleaseServiceDeps } from './release-service-deps.js';
import { describeStatus, type ReleaseStatusView } from './release-status.js';
import { ReleasePurge } from './release-purge.js';
import { resolveChart, type ResolvedChart } from './resolve-chart.js';
import type { EngineProfile } from '../tiller/engine-profile.js';
import type { ReleaseRecord } from './types.js';
import type { InstallInput, Revision, UpgradeInput } from './release-inputs.js';
import { mergeOver, valuesToYaml } from './values.js';

export type { InstallInput, Revision, UpgradeInput } from './release-inputs.js';
export type { ReleaseServiceDeps } from './release-service-deps.js';
export type { ChangePreview, RevisionContent } from './change-preview.js';


export class ReleaseService {
  private readonly clientSteps: ReleaseClientSteps;
  private readonly purger: ReleasePurge;
  private readonly limits: InputLimits;
  private readonly previews: ReleasePreviews;
  private readonly reads: ReleaseReads;

  constructor(private readonly deps: ReleaseServiceDeps) {
    this.reads = new ReleaseReads(deps);
    this.clientSteps = new ReleaseClientSteps(deps);
    this.purger = new ReleasePurge({ ...deps, latest: (id, atLeast) => this.reads.latest(id, atLeast) });
    this.limits = new InputLimits(deps.store, deps.maxValuesBytes);
    this.previews = new ReleasePreviews(deps, {
      checkUpgrade: (input) => this.limits.checkUpgrade(input),
      visible: (principal, id) => this.visible(principal, id),
      upgradeTarget: (current, input) => this.upgradeTarget(current, input),
      rollbackTarget: (id, revision) => this.reads.revision(id, revision),
      latest: (id, atLeast) => this.reads.latest(id, atLeast),
      confine: (release, namespace, application) => this.confine(release, namespace, application),
      allowsClusterScoped: (application) => this.allowsClusterScoped(application),
    });
  }

  /** `auth` carries the caller's token to providers that act for the user (Dataporten clientadm). */
  async install(principal: Principal, input: InstallInput, auth: ProvisioningAuth = {}): Promise<{ record: ReleaseRecord; manifest?: string; notes?: string }> {
    const change = { principal, action: 'install' as const, namespace: input.namespace, adminGroups: input.adminGroups, idOf: (r: { record: ReleaseRecord }) => r.record.id };
    const run = () => this.doInstall(principal, input, auth);
    return input.dryRun ? auditedDryRun(this.deps, change, run) : auditedChange(this.deps, change, run);
  }

  private async doInstall(principal: Principal, input: InstallInput, auth: ProvisioningAuth): Promise<{ record: ReleaseRecord; manifest?: string; notes?: string }> {
    this.limits.checkInstall(input);
    this.deps.access.assertAdminGroupsAllowed(principal, input.adminGroups);
    await this.deps.access.assertMayDeploy(principal, input.namespace);
    const engine = await this.deps.engine.profile();
    const resolved = await resolveChart(this.deps.catalog, input, engine);
    const allowClusterScoped = this.allowsClusterScoped(resolved.application);
    // Checked before anything is made: a bad resources.yaml or a missing host is a 422.
    const declared = this.clientSteps.declared(resolved.chart, input.values);
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
    this.limits.checkRecord(draft(''));

    if (input.dryRun) {
      const release = await this.deps.engine.install({
        chart: resolved.chart,
        name: newReleaseId(),
        namespace: input.namespace,
        valuesYaml: resolved.valuesYaml,
        dryRun: true,
        allowClusterScoped,
      }).catch((err: unknown) => {
        throw changeFailure(err, resolved.chart.metadata?.name ?? '');
      });
      if (engine.kind === 'tiller') await this.confine(release, input.namespace, resolved.application);
      return { record: draft(release.name), manifest: release.manifest, notes: release.info?.status?.notes ?? '' };
    }

    for (let attempt = 0; attempt < (this.deps.idAttempts ?? 8); attempt++) {
      const id = newReleaseId();
      // The Lease first, then the record: another replica's reconciliation never finds a pending record whose install
      // holds no Lease, and takes it for an abandoned one.
      let entered = false;
      const deployed = await this.deps.locks
        .withLock(id, () => {
          entered = true;
          return this.installLocked(principal, draft(id), resolved, declared, auth, engine);
        })
        .catch((err: unknown) => {
          // The id is another release's, busy with a change: try another.
          if (!entered && AppStoreError.from(err).code === 'Conflict') return undefined;
          throw err;
        });
      if (deployed) return { record: deployed };
    }
    throw new AppStoreError('Conflict', 'could not find a free release id; try again');
  }

  /** Under the release's lock: record, client, Tiller, record deployed; undefined when the id turns out to be taken. */
  private async installLocked(
    principal: Principal,
    draft: ReleaseRecord,
    resolved: ResolvedChart,
    declared: ClientRequest | undefined,
    auth: ProvisioningAuth,
    engine: EngineProfile,
  ): Promise<ReleaseRecord | undefined> {
    let record: ReleaseRecord;
    try {
      record = await this.deps.store.create(draft);
    } catch (err) {
      if (AppStoreError.from(err).code === 'AlreadyExists') return undefined;
      throw err;
    }
    // The client is made before Tiller is called, and recorded before it can be lost; a failure here has already
    // removed the record (the provider's error is the answer).
    const client = declared && (await this.clientSteps.provision(record, declared, { ...auth, ...(principal.email !== undefined && { callerEmail: principal.email }) }));
    const installing = client ? client.record : record;
    let installed: TillerRelease;
    try {
      const request = {
        chart: resolved.chart,
        name: record.id,
        namespace: record.namespace,
        valuesYaml: client ? valuesToYaml(mergeOver(draft.values, client.values)) : resolved.valuesYaml,
        description: `installed by appstore for ${principal.id}`,
        allowClusterScoped: this.allowsClusterScoped(record.application),
      };
      if (this.checksDryRuns(engine)) await this.confine(await this.deps.engine.install({ ...request, dryRun: true }), record.namespace, record.application);
      installed = await this.deps.engine.install(request);
    } catch (err) {
      const failure = AppStoreError.from(err);
      if (failure.code === 'AlreadyExists') {
        // Tiller knows the name from elsewhere: give it up, try another.
        if ((await this.clientSteps.drop(installing, auth)) === undefined) await this.deps.store.delete(record.id);
        else await this.clientSteps.keepForReconcile(installing);
        return undefined;
      }
      await this.compensateInstall(installing, failure, auth);
      throw changeFailure(failure, resolved.chart.metadata?.name ?? '');
    }
    return this.deps.store.update({ ...installing, state: 'deployed', ...revisionOf(installed), updatedAt: new Date().toISOString() });
  }

  async get(principal: Principal, id: string): Promise<ReleaseRecord> {
    return this.visible(principal, id);
  }

  async list(principal: Principal, page: { limit?: number; offset?: number }): Promise<{ releases: ReleaseRecord[]; total: number }> {
    // Access is decided on summaries; values are read only for the page returned, never for other tenants' releases.
    const { store } = this.deps;
    const candidates = store.summariesOf ? await store.summariesOf(principal.id, principal.groups) : await store.summaries();
    const all = candidates
      .filter((r) => r.state !== 'deleting' && this.deps.access.canSee(principal, r))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    const offset = page.offset ?? 0;
    const onPage = all.slice(offset, page.limit === undefined ? undefined : offset + page.limit);
    const releases = (await this.deps.store.read(onPage.map((r) => r.id))).filter(
      (r) => r.state !== 'deleting' && this.deps.access.canSee(principal, r), // changed since it was listed
    );
    return { releases, total: all.length };
  }

  async status(principal: Principal, id: string): Promise<ReleaseStatusView> {
    const record = await this.visible(principal, id);
    // The stored release has everything but Tiller's text table of resources, which
    // GetReleaseStatus builds by querying every object (slow) and which is not used here.
    return describeStatus(record, await this.reads.latest(id, record.revision), this.deps.resources);
  }

  async upgrade(principal: Principal, id: string, input: UpgradeInput, auth: ProvisioningAuth = {}): Promise<ReleaseRecord> {
    return auditedChange(this.deps, { principal, action: 'upgrade', releaseId: id }, () => this.doUpgrade(principal, id, input, auth));
  }

  private async doUpgrade(principal: Principal, id: string, input: UpgradeInput, auth: ProvisioningAuth): Promise<ReleaseRecord> {
    this.limits.checkUpgrade(input);
    await this.visible(principal, id);
    return this.deps.locks.withLock(id, async () => {
      // Read again under the lock, so that a change finished meanwhile (here or on another replica) is not overwritten.
      const current = await this.visible(principal, id, true);
      const { values, engine, resolved } = await this.upgradeTarget(current, input);
      const client = await this.clientSteps.upgrade(current, resolved.chart, values, auth);
      const recorded = client?.record ?? current;
      const request = {
        chart: resolved.chart,
        name: id,
        valuesYaml: client ? valuesToYaml(mergeOver(values, client.values)) : resolved.valuesYaml,
        resetValues: true,
        description: `upgraded by appstore for ${principal.id}`,
        allowClusterScoped: this.allowsClusterScoped(current.application),
      };
      const checked = async () => {
        if (this.checksDryRuns(engine)) await this.confine(await this.deps.engine.upgrade({ ...request, dryRun: true }), current.namespace, current.application);
        return this.deps.engine.upgrade(request);
      };
      const upgraded = await checked().catch(async (err: unknown) => {
        if (client?.created) {
          // A client made for this upgrade goes with it.
          if ((await this.clientSteps.drop(recorded, auth)) === undefined) {
            await this.deps.store.update({ ...current, storedVersion: recorded.storedVersion });
          }
        }
        const failure = AppStoreError.from(err);
        // A hook that did not complete: Tiller leaves the revision pending; it is FAILED. (A Helm engine marks it itself.)
        if (failure.details.tiller === 'Incomplete' && engine.kind === 'tiller') await this.deps.stored?.failPending?.(id, failure.message).catch(() => undefined);
        throw changeFailure(failure, resolved.chart.metadata?.name ?? '');
      });
      return this.deps.store.update({
        ...recorded,
        version: resolved.version,
        values,
        ...(client && { provisioned: client.provisioned }),
        ...revisionOf(upgraded),
        updatedAt: new Date().toISOString(),
      });
    });
  }

  /** What the upgrade would make, beside the current revision; nothing changes (release-previews.ts). */
  previewUpgrade(principal: Principal, id: string, input: UpgradeInput): Promise<ChangePreview> {
    return this.previews.upgrade(principal, id, input);
  }

  /** What the rollback would make, beside the current revision; nothing changes (release-previews.ts). */
  previewRollback(principal: Principal, id: string, revision: number): Promise<ChangePreview> {
    return this.previews.rollback(principal, id, revision);
  }

  /** The values an upgrade merges (as Helm's --reuse-values does, or from scratch with resetValues) and the chart it installs. */
  private async upgradeTarget(current: ReleaseRecord, input: UpgradeInput) {
    const values = input.resetValues ? (input.values ?? {}) : mergeOver(current.values, input.values ?? {});
    this.limits.checkRecord({ ...current, values }, 'merged values');
    const engine = await this.deps.engine.profile();
    const resolved = await resolveChart(
      this.deps.catalog,
      {
        application: current.application,
        // No version: a change of values only.
        version: input.version.trim() === '' ? current.version : input.version,
        development: current.development,
        values,
      },
      engine,
    );
    return { values, engine, resolved };
  }

  async rollback(principal: Principal, id: string, revision: number, auth: ProvisioningAuth = {}): Promise<ReleaseRecord> {
    return auditedChange(this.deps, { principal, action: 'rollback', releaseId: id }, () => this.doRollback(principal, id, revision, auth));
  }

  private async doRollback(principal: Principal, id: string, revision: number, auth: ProvisioningAuth): Promise<ReleaseRecord> {
    await this.visible(principal, id);
    checkRevision(revision);
    return this.deps.locks.withLock(id, async () => {
      const current = await this.visible(principal, id, true);
      const target = await this.reads.revision(id, revision);
      // The revision was checked when it was made, but under the rules of then: it is checked again (by a Helm
      // engine itself, before it applies the revision).
      const allowClusterScoped = this.allowsClusterScoped(current.application);
      if ((await this.deps.engine.profile()).kind === 'tiller') await this.confine(target, current.namespace, current.application);
      const rolledBack = await this.deps.engine.rollback({ name: id, revision, description: `rolled back by appstore for ${principal.id}`, allowClusterScoped });
      // What the store generated for the chart (a client secret) is not the user's values.
      const values = userValues(target);
      // The client follows the revision's redirect URIs and scopes again (its id and secret never change).
      const client = current.provisioned && (await this.clientSteps.follow(current, target.chart, values, auth));
      return this.deps.store.update({
        ...current,
        version: target.chart?.metadata?.version ?? current.version,
        values,
        ...(client && { provisioned: client }),
        ...revisionOf(rolledBack),
        updatedAt: new Date().toISOString(),
      });
    });
  }

  async history(principal: Principal, id: string): Promise<Revision[]> {
    const record = await this.visible(principal, id);
    return this.reads.revisions(id, record.revision);
  }

  async delete(principal: Principal, id: string, auth: ProvisioningAuth = {}): Promise<void> {
    return auditedChange(this.deps, { principal, action: 'delete', releaseId: id }, () => this.doDelete(principal, id, auth));
  }

  /** The record goes last: a release with a client is not forgotten until its client is gone. */
  private async doDelete(principal: Principal, id: string, auth: ProvisioningAuth): Promise<void> {
    await this.visible(principal, id);
    await this.deps.locks.withLock(id, async () => {
      const record = await this.visible(principal, id, true);
      const deleting = await this.deps.store.update({ ...record, state: 'deleting', updatedAt: new Date().toISOString() });
      await this.purger.purge(record, 'deleted by appstore');
      const failure = await this.clientSteps.drop(deleting, auth);
      if (failure) {
        await this.clientSteps.keepForReconcile(deleting);
        throw new AppStoreError(
          failure.code === 'PermissionDenied' ? 'PermissionDenied' : 'Unavailable',
          `release ${id} is deleted, but its OAuth client could not be removed yet (${failure.message}); the store retries`,
        );
      }
      await this.deps.store.delete(id);
    });
  }

  /**
   * The record, if the caller may see it; NotFound otherwise (no leak of its existence). `consistent` under a
   * release's lock: what a change starts from is read from the store's source, never from a cache behind it.
   */
  private async visible(principal: Principal, id: string, consistent = false): Promise<ReleaseRecord> {
    const record = isReleaseId(id) ? await this.deps.store.get(id, consistent ? { consistent } : undefined) : undefined;
    if (!record || record.state === 'deleting' || !this.deps.access.canSee(principal, record)) {
      throw notFound(`release ${id} not found`);
    }
    return record;
  }

  /**
   * Whether a change is rendered (a dry run) and checked by the store before it is applied: on Tiller, which has no
   * step between render and apply. A Helm engine checks the objects it is about to apply itself (engine/), so that
   * the check and the apply see the same objects and nothing renders twice.
   */
  private checksDryRuns(engine: EngineProfile): boolean {
    return engine.kind === 'tiller' && this.deps.tenancy !== undefined;
  }

  /** The operator allowed cluster-scoped objects for this package (allowClusterScoped); said to a Helm engine. */
  private allowsClusterScoped(application: string): boolean {
    return this.deps.tenancy?.allowsClusterScoped(application) ?? false;
  }

  /** Unprocessable unless every object of the rendered release (manifest and hooks) stays in the namespace. */
  private async confine(release: TillerRelease, namespace: string, application: string): Promise<void> {
    if (!this.deps.tenancy) return;
    await this.deps.tenancy.assertConfined({ manifest: release.manifest, hooks: release.hooks }, { namespace, application });
  }

  /**
   * A failed install leaves nothing behind: its client is deleted, Tiller's
   * failed release purged and the record removed; a client that could not be
   * deleted keeps the record (hidden, deleting) for reconciliation.
   */
  private async compensateInstall(record: ReleaseRecord, failure: AppStoreError, auth: ProvisioningAuth): Promise<void> {
    const clientLeft = await this.clientSteps.drop(record, auth);
    try {
      await this.purger.purge(record, 'deleted by appstore: the install failed');
      if (clientLeft) await this.clientSteps.keepForReconcile(record);
      else await this.deps.store.delete(record.id);
    } catch (err) {
      // Left pending: reconciliation finishes the clean-up.
      this.deps.log.warn({ releaseId: record.id, err: AppStoreError.from(err).message, cause: boundedText(failure.message) }, 'install compensation incomplete');
    }
  }
}

/** The revision an engine answered, kept in the record as the least a cached read must see (0: none said). */
function revisionOf(release: TillerRelease): Pick<ReleaseRecord, 'revision'> {
  return release.version > 0 ? { revision: release.version } : {};
}
