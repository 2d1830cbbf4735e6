/**
 * A change to a release, admitted (fair share, quotas) and audited: every
 * install, upgrade, rollback and delete leaves one audit record, succeeded,
 * denied or failed. Denied means the caller was refused, not that something
 * broke: 403, 404 for a release hidden from the caller, 429, and a release
 * that would have left its namespace.
 */
import { AppStoreError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { ChangeAdmission } from './change-admission.js';
import type { Audit } from './types.js';

export type ChangeAction = 'install' | 'upgrade' | 'rollback' | 'delete';

export interface AuditedChange<T> {
  readonly principal: Principal;
  readonly action: ChangeAction;
  readonly releaseId?: string;
  readonly namespace?: string;
  /** The groups an install names, for the group quotas. */
  readonly adminGroups?: readonly string[];
  /** The id of what the change made (an install's new release). */
  readonly idOf?: (result: T) => string;
}

export async function auditedChange<T>(
  deps: { readonly audit: Audit; readonly admission?: Pick<ChangeAdmission, 'admit'> },
  change: AuditedChange<T>,
  run: () => Promise<T>,
): Promise<T> {
  const { principal, action, releaseId, namespace, adminGroups, idOf } = change;
  try {
    const result = await (deps.admission ? deps.admission.admit(principal, { action, adminGroups }, run) : run());
    deps.audit.record({ principal, action, releaseId: idOf ? idOf(result) : releaseId, namespace, outcome: 'succeeded' });
    return result;
  } catch (err) {
    const failure = AppStoreError.from(err);
    deps.audit.record({ principal, action, releaseId, namespace, outcome: isDenial(failure) ? 'denied' : 'failed', reason: failure.message });
    throw err;
  }
}

/** A dry run changes nothing and is not audited, except when it is refused for leaving its namespace. */
export async function auditedDryRun<T>(deps: { readonly audit: Audit }, change: AuditedChange<T>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const failure = AppStoreError.from(err);
    if (failure.details.tenancy === true) {
      const { principal, action, namespace, releaseId } = change;
      deps.audit.record({ principal, action, releaseId, namespace, outcome: 'denied', reason: `dry run: ${failure.message}` });
    }
    throw err;
  }
}

function isDenial(failure: AppStoreError): boolean {
  return ['PermissionDenied', 'NotFound', 'ResourceExhausted'].includes(failure.code) || failure.details.tenancy === true;
}
