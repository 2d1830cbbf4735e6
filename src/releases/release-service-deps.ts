/** What the release use cases (release-service.ts) are built from: the room's ports and its optional parts. */
import type { Catalog } from '../catalog/types.js';
import type { Logger } from '../observability/logger.js';
import type { ReleaseClients } from '../provisioning/index.js';
import type { ChangeAdmission } from './change-admission.js';
import type { TenancyCheck } from './tenancy-check.js';
import type { AccessPolicy, Audit, Locks, ReleaseEngine, ReleaseStore, ResourceStatusReader, StoredReleaseReader } from './types.js';

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
  /** The OAuth clients charts declare (resources.yaml); none are made without. */
  readonly clients?: ReleaseClients;
  /** Fair share and quotas, checked before a change starts (change-admission.ts); none without. */
  readonly admission?: Pick<ChangeAdmission, 'admit'>;
  /** Attempts at a free id before giving up. */
  readonly idAttempts?: number;
  /**
   * Checks that a rendered release stays in its namespace: on Tiller every install and upgrade is rendered (a dry
   * run) and checked before it is applied, a rollback's target as stored; a Helm engine checks them itself.
   */
  readonly tenancy?: TenancyCheck;
  /** The cap on values serialised as JSON (APPSTORE_MAX_VALUES_BYTES); see input-limits.ts. */
  readonly maxValuesBytes?: number;
}
