/**
 * Reads of a release's revisions (the latest, one of them, all of them). On
 * Tiller they come from its storage Secrets (see kube/tiller-storage.ts),
 * which spares Tiller's rate-limited storage client for writes and keeps
 * working while Tiller is down; Tiller is asked when no storage reader is
 * configured, or it has nothing, or it cannot be read. A Helm engine has no
 * such limiter and is always asked, so the store needs no access to the
 * Secrets of target namespaces; it is told the revision the record says
 * exists (`atLeast`), since it answers from a watch-fed cache of its own.
 */
import type { Release as TillerRelease } from '../../gen/hapi/release/release.js';
import { AppStoreError, invalidArgument } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import { userValues } from './change-preview.js';
import type { Revision } from './release-inputs.js';
import { statusName } from './status-names.js';
import type { ReleaseEngine, StoredReleaseReader } from './types.js';
import type { Values } from './values.js';

export class ReleaseReads {
  constructor(
    private readonly deps: {
      readonly engine: Pick<ReleaseEngine, 'profile' | 'content' | 'history'>;
      readonly stored?: StoredReleaseReader;
      readonly log: Logger;
    },
  ) {}

  /** The newest revision; `atLeast`: the revision the release's record says exists (ReleaseRecord.revision). */
  latest(id: string, atLeast?: number): Promise<TillerRelease> {
    return this.read(id, (stored) => stored.latest(id, atLeast), () => this.deps.engine.content(id, 0, { atLeast }));
  }

  /** A revision, as a rollback reads its target: a 400 for a revision out of range, a 422 for one the release lacks. */
  async revision(id: string, revision: number): Promise<TillerRelease> {
    checkRevision(revision);
    return this.read(
      id,
      (stored) => stored.revision(id, revision),
      () => this.deps.engine.content(id, revision),
    ).catch((err: unknown) => {
      if (AppStoreError.from(err).code !== 'NotFound') throw err;
      throw new AppStoreError('Unprocessable', `release ${id} has no revision ${revision}`, { parameter: 'revision' });
    });
  }

  /** Every revision, newest first, with the user's values of each; `atLeast` as for latest(). */
  async revisions(id: string, atLeast?: number): Promise<Revision[]> {
    const revisions = await this.read(id, (stored) => stored.history(id, atLeast), () => this.deps.engine.history(id, undefined, { atLeast }));
    return revisions
      .map((r) => ({
        revision: r.version,
        version: r.chart?.metadata?.version ?? '',
        status: statusName(r.info?.status?.code),
        updated: r.info?.lastDeployed?.toISOString() ?? '',
        description: r.info?.Description ?? '',
        // A config that cannot be read (written by hand) does not hide the history.
        values: readableValues(r),
      }))
      .sort((a, b) => b.revision - a.revision);
  }

  private async read<T>(id: string, read: (stored: StoredReleaseReader) => Promise<T | undefined>, ask: () => Promise<T>): Promise<T> {
    try {
      // While the engine cannot be asked which it is, Tiller's storage is still read (Tiller may just be down).
      const engine = await this.deps.engine.profile().catch(() => undefined);
      const found = this.deps.stored && engine?.kind !== 'helm' ? await read(this.deps.stored) : undefined;
      if (found !== undefined) return found;
    } catch (err) {
      this.deps.log.debug({ releaseId: id, err: AppStoreError.from(err).message }, 'reading Tiller storage failed; asking Tiller');
    }
    return ask();
  }
}

/** A revision number Tiller's protocol can carry (int32, from 1). */
export function checkRevision(revision: number): void {
  if (!Number.isInteger(revision) || revision < 1 || revision > 2 ** 31 - 1) {
    throw invalidArgument('revision must be an integer from 1 to 2147483647', { parameter: 'revision' });
  }
}

function readableValues(release: TillerRelease): Values {
  try {
    return userValues(release);
  } catch {
    return {};
  }
}
