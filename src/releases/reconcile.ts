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
 */
import { ALL_STATUS_CODES } from '../tiller/index.js';
import { AppStoreError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import { statusName } from './status-names.js';
import type { ReleaseEngine, ReleaseStore } from './types.js';

export type ReconcileAction =
  | 'completed-install'
  | 'removed-unstarted-install'
  | 'purged-failed-install'
  | 'completed-delete'
  | 'removed-vanished-release'
  | 'unmanaged-tiller-release';

export interface ReconcileReport {
  readonly actions: ReadonlyArray<{ readonly id: string; readonly action: ReconcileAction; readonly tillerStatus?: string }>;
}

export async function reconcile(deps: { store: ReleaseStore; engine: ReleaseEngine; log: Logger }): Promise<ReconcileReport> {
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

  for (const record of records) {
    const tillerStatus = inTiller.get(record.id);
    let action: ReconcileAction | undefined;
    if (record.state === 'pending') {
      if (tillerStatus === undefined) {
        await store.delete(record.id);
        action = 'removed-unstarted-install';
      } else if (tillerStatus === 'DEPLOYED') {
        await store.update({ ...record, state: 'deployed', updatedAt: new Date().toISOString() });
        action = 'completed-install';
      } else if (tillerStatus !== 'PENDING_INSTALL') {
        await purge(record.id);
        await store.delete(record.id);
        action = 'purged-failed-install';
      }
    } else if (record.state === 'deleting') {
      await purge(record.id);
      await store.delete(record.id);
      action = 'completed-delete';
    } else if (tillerStatus === undefined || tillerStatus === 'DELETED') {
      await store.delete(record.id);
      action = 'removed-vanished-release';
    }
    if (action) {
      actions.push({ id: record.id, action, tillerStatus });
      log.warn({ releaseId: record.id, action, tillerStatus }, 'reconciled release');
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
