/**
 * Purging a release from the engine, one way for every caller: a delete, a
 * failed install's clean-up and reconciliation finishing either. The delete
 * hooks the engine would run were checked when their revision was made, but
 * a revision from before the tenancy check (or from rules since tightened)
 * may hold hooks that leave the namespace: such a release is purged without
 * its hooks. A release the engine no longer has is already purged.
 */
import type { Release as TillerRelease } from '../../gen/hapi/release/release.js';
import { AppStoreError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import type { TenancyCheck } from './tenancy-check.js';
import type { ReleaseEngine, ReleaseRecord } from './types.js';

export interface ReleasePurgeDeps {
  readonly engine: Pick<ReleaseEngine, 'uninstall'>;
  /** Whether the hooks stay in the namespace; without it, hooks are run as the engine has them. */
  readonly tenancy?: Pick<TenancyCheck, 'offences'>;
  /** The release's newest revision (its hooks), undefined when none can be read. */
  readonly latest: (id: string, atLeast?: number) => Promise<TillerRelease | undefined>;
  readonly log: Logger;
}

export class ReleasePurge {
  constructor(private readonly deps: ReleasePurgeDeps) {}

  async purge(record: Pick<ReleaseRecord, 'id' | 'namespace' | 'application' | 'revision'>, description: string): Promise<void> {
    const disableHooks = await this.hooksEscape(record);
    try {
      await this.deps.engine.uninstall(record.id, { purge: true, disableHooks, description });
    } catch (err) {
      if (AppStoreError.from(err).code !== 'NotFound') throw err;
    }
  }

  private async hooksEscape(record: Pick<ReleaseRecord, 'id' | 'namespace' | 'application' | 'revision'>): Promise<boolean> {
    if (!this.deps.tenancy) return false;
    const latest = await this.deps.latest(record.id, record.revision).catch(() => undefined);
    if (!latest) return false;
    const offences = await this.deps.tenancy.offences({ manifest: '', hooks: latest.hooks }, record);
    if (offences.length === 0) return false;
    this.deps.log.warn({ releaseId: record.id, objects: offences.map((o) => `${o.kind}/${o.namespace}/${o.name}`).slice(0, 20) }, 'delete hooks would leave the namespace; deleting without hooks');
    return true;
  }
}
