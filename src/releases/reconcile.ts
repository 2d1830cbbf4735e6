/**
 * Brings the store's records and Tiller's releases back in line after a
 * crash or an outage, at start and then periodically:
 * - a pending record whose install never reached Tiller is removed; one that
 *   Tiller deployed is marked deployed; one Tiller failed is purged;
 * - a record left "deleting" has its deletion finished;
 * - a deployed record whose release is gone from Tiller (deleted outside the
 *   store) is removed;
 * - a Tiller release without a record is not the store's (the helm CLI may
 *   have made it): it is reported and left alone.
 * A record with an OAuth client is removed only once its client is deleted;
 * until then it stays (deleting, client delete-pending) and is retried.
 */
import { ALL_STATUS_CODES } from '../tiller/index.js';
import { AppStoreError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import { statusName } from './status-names.js';
import type { ProvisionedClient } from '../provisioning/types.js';
import type { Locks, ReleaseEngine, ReleaseRecord, ReleaseStore } from './types.js';

export type ReconcileAction =
  | 'completed-install'
  | 'removed-unstarted-install'
  | 'purged-failed-install'
  | 'completed-delete'
  | 'removed-vanished-release'
  | 'unmanaged-tiller-release'
  | 'client-removal-pending';

export interface ReconcileReport {
  readonly actions: ReadonlyArray<{ readonly id: string; readonly action: ReconcileAction; readonly tillerStatus?: string }>;
}

export async function reconcile(deps: {
  store: ReleaseStore;
  engine: ReleaseEngine;
  log: Logger;
  clients?: { remove(releaseId: string, client: ProvisionedClient): Promise<void> };
  /**
   * The release locks: a record is acted on only under its lock and only if it is unchanged since it was
   * listed, so that a change in flight (here or on another replica) is never taken for a crashed one.
   */
  locks?: Locks;
}): Promise<ReconcileReport> {
  const { store, engine, log } = deps;
  const [records, tillerReleases] = await Promise.all([store.list(), engine.list({ statusCodes: ALL_STATUS_CODES })]);
  const inTiller = new Map(tillerReleases.map((r) => [r.name, statusName(r.info?.status?.code)]));
  const actions: Array<ReconcileReport['actions'][number]> = [];
  const purge = async (id: string) => {
    try {
      await engine.uninstall(id, { purge: true, description: 'appstore reconciliation' });
    } catch (err) {
      if (AppStoreError.from(err).code !== 'NotFound') throw err;
    }
  };

  /** Removes the record once its client (if any) is gone; false when the client stays (retried next time). */
  const forget = async (record: ReleaseRecord): Promise<boolean> => {
    if (record.provisioned) {
      try {
        if (!deps.clients) throw new Error('no client provisioner is configured');
        await deps.clients.remove(record.id, record.provisioned);
      } catch (err) {
        log.warn({ releaseId: record.id, clientId: record.provisioned.clientId, err: AppStoreError.from(err).message }, 'OAuth client not deleted yet');
        if (record.state !== 'deleting' || record.provisioned.state !== 'delete-pending') {
          const provisioned = { ...record.provisioned, state: 'delete-pending' as const };
          await store.update({ ...record, state: 'deleting', provisioned, updatedAt: new Date().toISOString() });
        }
        return false;
      }
    }
    await store.delete(record.id);
    return true;
  };

  const reconcileOne = async (record: ReleaseRecord): Promise<void> => {
    const tillerStatus = inTiller.get(record.id);
    let action: ReconcileAction | undefined;
    if (record.state === 'pending') {
      if (tillerStatus === undefined) {
        action = (await forget(record)) ? 'removed-unstarted-install' : 'client-removal-pending';
      } else if (tillerStatus === 'DEPLOYED') {
        await store.update({ ...record, state: 'deployed', updatedAt: new Date().toISOString() });
        action = 'completed-install';
      } else if (tillerStatus !== 'PENDING_INSTALL' || deps.locks) {
        // PENDING_INSTALL under the release's lock means an abandoned install (Tiller v2 never resumes one whose
        // Tiller died): installs hold the lock while Tiller works. Without locks, it may still be in flight.
        await purge(record.id);
        action = (await forget(record)) ? 'purged-failed-install' : 'client-removal-pending';
      }
    } else if (record.state === 'deleting') {
      await purge(record.id);
      action = (await forget(record)) ? 'completed-delete' : 'client-removal-pending';
    } else if (tillerStatus === undefined || tillerStatus === 'DELETED') {
      action = (await forget(record)) ? 'removed-vanished-release' : 'client-removal-pending';
    }
    if (action) {
      actions.push({ id: record.id, action, tillerStatus });
      log.warn({ releaseId: record.id, action, tillerStatus }, 'reconciled release');
    }
  };
  // Only a record that may need an action is locked and read again: a deployed release Tiller has needs nothing, and
  // locking it would make a user's change in that moment a 409.
  const mayNeedAction = (record: ReleaseRecord) => {
    const tillerStatus = inTiller.get(record.id);
    return record.state !== 'deployed' || tillerStatus === undefined || tillerStatus === 'DELETED';
  };
  for (const record of records.filter(mayNeedAction)) {
    if (!deps.locks) {
      await reconcileOne(record);
      continue;
    }
    try {
      await deps.locks.withLock(record.id, async () => {
        const now = await store.get(record.id);
        if (now?.state === record.state && now.updatedAt === record.updatedAt) await reconcileOne(record);
      });
    } catch (err) {
      // Busy: a change is in flight, or its holder died and the lock has not expired yet. Next time.
      if (AppStoreError.from(err).code !== 'Conflict') throw err;
    }
  }
  const known = new Set(records.map((r) => r.id));
  for (const [name, tillerStatus] of inTiller) {
    if (known.has(name)) continue;
    actions.push({ id: name, action: 'unmanaged-tiller-release', tillerStatus });
    log.info({ release: name, tillerStatus }, 'Tiller release not managed by appstore; left alone');
  }
  return { actions };
}
