/**
 * The access rules, in one place, used by every release operation:
 * - a release is visible (and changeable) to its owner and to members of its
 *   adminGroups — the same rule for users and service accounts;
 * - a caller may name in adminGroups only groups they belong to (unless
 *   configured otherwise), and never a reserved `system:` group, which would
 *   share the release with every Kubernetes identity at once;
 * - deploying into a namespace is decided by the namespace policy.
 * Structurally this is the AccessPolicy port of src/releases/types.ts.
 */
import { AppStoreError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { NamespacePolicy } from './namespace-policy.js';
import type { ReleaseAccess } from './types.js';

export function canSeeRelease(principal: Principal, release: ReleaseAccess): boolean {
  if (release.owner !== '' && release.owner === principal.id) return true;
  return release.adminGroups.some((group) => principal.groups.includes(group));
}

export interface AccessPolicyOptions {
  readonly adminGroupsMembersOnly: boolean;
}

export class AccessPolicy {
  constructor(
    private readonly namespaces: NamespacePolicy,
    private readonly options: AccessPolicyOptions,
  ) {}

  canSee(principal: Principal, release: ReleaseAccess): boolean {
    return canSeeRelease(principal, release);
  }

  /** PermissionDenied unless the caller may name these adminGroups. */
  assertAdminGroupsAllowed(principal: Principal, adminGroups: readonly string[]): void {
    const reserved = adminGroups.filter((g) => g.startsWith('system:'));
    if (reserved.length > 0) {
      throw new AppStoreError('PermissionDenied', `reserved groups may not be adminGroups: ${reserved.join(', ')}`, {
        groups: reserved,
      });
    }
    if (!this.options.adminGroupsMembersOnly) return;
    const foreign = adminGroups.filter((g) => !principal.groups.includes(g));
    if (foreign.length > 0) {
      throw new AppStoreError('PermissionDenied', `you are not a member of: ${foreign.join(', ')}`, { groups: foreign });
    }
  }

  /** PermissionDenied unless the caller may deploy into the namespace. */
  assertMayDeploy(principal: Principal, namespace: string): Promise<void> {
    return this.namespaces.assertMayDeploy(principal, namespace);
  }

  /** GET /namespaces: where the caller may deploy. */
  namespacesFor(principal: Principal): Promise<string[]> {
    return this.namespaces.namespacesFor(principal);
  }
}
