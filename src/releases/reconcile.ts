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
 *
 * Each record is handled on its own, a few at a time and each within a time
 * limit: one tenant's record that cannot be handled (a write the API server
 * rejects, a call that hangs) is reported as a failure and tried again on the
 * next pass, and never stops or delays the repair of anyone else's. Only a
 * failing list (of the records or of Tiller's releases) fails the pass: that
 * is an outage, not a bad record.
 */
import pLimit from 'p-limit';
import { ALL_STATUS_CODES } from '../tiller/index.js';
import { AppStoreError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import { statusName } from './status-names.js';
import type { ReleaseClients } from '../provisioning/index.js';
import { ClientRemoval } from './release-client-steps.js';
import { ReleasePurge } from './release-purge.js';
import type { TenancyCheck } from './tenancy-check.js';
import type { Locks, ReleaseEngine, ReleaseRecord, ReleaseStore, ReleaseSummary, StoredReleaseReader } from './types.js';

/** What reconciliation sets out to do with a record (and reports when done). */
export type ReconcileIntent =
  | 'completed-install'
  | 'removed-unstarted-install'
  | 'purged-failed-install'
  | 'completed-delete'
  | 'removed-vanished-release';

export type ReconcileAction = ReconcileIntent | 'unmanaged-tiller-release' | 'client-removal-pending';

export interface ReconcileFailure {
  readonly id: string;
  /** read: reading the record failed; otherwise the action that failed. */
  readonly action: ReconcileIntent | 'read';
  /** The error's message, shortened; never the record's values. */
  readonly error: string;
  readonly timedOut: boolean;
}

export interface ReconcileReport {
  readonly actions: ReadonlyArray<{ readonly id: string; readonly action: ReconcileAction; readonly tillerStatus?: string }>;
  /** Records that could not be handled in this pass; each is tried again in the next. */
  readonly failures: readonly ReconcileFailure[];
}

export interface ReconcileDeps {
  store: ReleaseStore;
  engine: Pick<ReleaseEngine, 'list' | 'uninstall'>;
  log: Logger;
  clients?: Pick<ReleaseClients, 'remove'>;
  /** As for the release use cases: a release whose delete hooks would leave its namespace is purged without them. */
  tenancy?: Pick<TenancyCheck, 'offences'>;
  /** Where a release's newest revision (its hooks) is read, for the check above. */
  stored?: Pick<StoredReleaseReader, 'latest'>;
  /**
   * The release locks: a record is acted on only under its lock and only if it is unchanged since it was
   * listed, so that a change in flight (here or on another replica) is never taken for a crashed one.
   */
  locks?: Locks;
  /** Records handled at once (4 by default). */
  concurrency?: number;
  /** How long one record may take before it is reported as failed and left to the next pass (60 s by default). */
  recordTimeoutMs?: number;
  /**
   * `all` (the default): every record, and Tiller's releases without one are reported. `unsettled`: only records
   * pending or deleting, the ones a crash or an outage leaves behind; Tiller is not even asked when there are none.
   * The store runs the full pass rarely and this one at start and when such a record changes.
   */
  scope?: 'all' | 'unsettled';
}

const MAX_ERROR_CHARS = 300;

export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  const { store, engine, log } = deps;
  const full = deps.scope !== 'unsettled';
  const listed = store.summaries();
  const unsettled = full ? undefined : (await listed).filter((r) => r.state !== 'deployed');
  if (unsettled?.length === 0) return { actions: [], failures: [] };
  const [all, tillerReleases] = await Promise.all([listed, engine.list({ statusCodes: ALL_STATUS_CODES })]);
  const records = unsettled ?? all;
  const inTiller = new Map(tillerReleases.map((r) => [r.name, statusName(r.info?.status?.code)]));
  const actions: Array<ReconcileReport['actions'][number]> = [];
  const failures: ReconcileFailure[] = [];
  const intentFor = (record: Pick<ReleaseRecord, 'id' | 'state'>) => intent(record.state, inTiller.get(record.id), deps.locks !== undefined);

  // The same steps as a delete's (release-purge.ts, release-client-steps.ts).
  const purger = new ReleasePurge({ engine, log, ...(deps.tenancy && { tenancy: deps.tenancy }), latest: async (id, atLeast) => deps.stored?.latest(id, atLeast) });
  const removal = new ClientRemoval({ store, log, ...(deps.clients && { clients: deps.clients }) });

  /** Removes the record once its client (if any) is gone; false when the client stays (kept deleting, retried next time). */
  const forget = async (record: ReleaseRecord): Promise<boolean> => {
    if ((await removal.drop(record, {})) !== undefined) {
      await removal.keepForReconcile(record);
      return false;
    }
    await store.delete(record.id);
    return true;
  };

  const act = async (record: ReleaseRecord, action: ReconcileIntent): Promise<ReconcileAction> => {
    if (action === 'completed-install') {
      await store.update({ ...record, state: 'deployed', updatedAt: new Date().toISOString() });
      return action;
    }
    if (action === 'purged-failed-install' || action === 'completed-delete') await purger.purge(record, 'appstore reconciliation');
    return (await forget(record)) ? action : 'client-removal-pending';
  };

  /** Reads the record again (under its lock) and acts if it is unchanged since it was listed. */
  const handle = async (listed: ReleaseSummary, progress: { step: ReconcileFailure['action'] }) => {
    const examine = async (): Promise<ReconcileAction | undefined> => {
      const record = await store.get(listed.id, { consistent: true });
      if (record?.state !== listed.state || record.updatedAt !== listed.updatedAt) return undefined;
      const action = intentFor(record);
      if (!action) return undefined;
      progress.step = action;
      return act(record, action);
    };
    return deps.locks ? deps.locks.withLock(listed.id, examine) : examine();
  };

  const handleIsolated = async (listed: ReleaseSummary) => {
    const progress: { step: ReconcileFailure['action'] } = { step: 'read' };
    const timeoutMs = deps.recordTimeoutMs ?? 60_000;
    const timeout = new AppStoreError('Unavailable', `reconciling release ${listed.id} took longer than ${timeoutMs} ms`);
    try {
      const action = await withTimeout(handle(listed, progress), timeoutMs, timeout);
      if (!action) return;
      const tillerStatus = inTiller.get(listed.id);
      actions.push({ id: listed.id, action, tillerStatus });
      log.warn({ releaseId: listed.id, action, tillerStatus }, 'reconciled release');
    } catch (err) {
      const error = AppStoreError.from(err);
      // Busy: a change is in flight, or its holder died and the lock has not expired yet. Next time.
      if (error.code === 'Conflict') return;
      const failure: ReconcileFailure = { id: listed.id, action: progress.step, error: shorten(error.message), timedOut: err === timeout };
      failures.push(failure);
      log.warn({ releaseId: failure.id, action: failure.action, timedOut: failure.timedOut, err: failure.error }, 'release not reconciled; tried again on the next pass');
    }
  };

  // Only a record that may need an action is locked and read again: a deployed release Tiller has needs nothing, and
  // locking it would make a user's change in that moment a 409.
  const limit = pLimit(deps.concurrency ?? 4);
  await Promise.all(records.filter((r) => intentFor(r) !== undefined).map((r) => limit(() => handleIsolated(r))));

  if (!full) return { actions, failures };
  const known = new Set(records.map((r) => r.id));
  for (const [name, tillerStatus] of inTiller) {
    if (known.has(name)) continue;
    actions.push({ id: name, action: 'unmanaged-tiller-release', tillerStatus });
    log.info({ release: name, tillerStatus }, 'Tiller release not managed by appstore; left alone');
  }
  return { actions, failures };
}

/** What a record in this state needs, given its release's status in Tiller (undefined: Tiller has none). */
function intent(state: ReleaseRecord['state'], tillerStatus: string | undefined, locked: boolean): ReconcileIntent | undefined {
  if (state === 'pending') {
    if (tillerStatus === undefined) return 'removed-unstarted-install';
    if (tillerStatus === 'DEPLOYED') return 'completed-install';
    // PENDING_INSTALL under the release's lock means an abandoned install (Tiller v2 never resumes one whose
    // Tiller died): installs hold the lock while Tiller works. Without locks, it may still be in flight.
    if (tillerStatus !== 'PENDING_INSTALL' || locked) return 'purged-failed-install';
    return undefined;
  }
  if (state === 'deleting') return 'completed-delete';
  return tillerStatus === undefined || tillerStatus === 'DELETED' ? 'removed-vanished-release' : undefined;
}

/** The work goes on in the background after a timeout; only the pass stops waiting for it. */
async function withTimeout<T>(work: Promise<T>, ms: number, timeout: Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(timeout), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function shorten(message: string): string {
  const line = message.split('\n')[0] ?? '';
  return line.length > MAX_ERROR_CHARS ? `${line.slice(0, MAX_ERROR_CHARS)}…` : line;
}
