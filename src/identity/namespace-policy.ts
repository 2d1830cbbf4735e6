/**
 * Who may deploy where: the namespaces file grants namespaces to groups and
 * users, and, when enabled, Kubernetes RBAC grants them too (either is
 * enough). With neither configured nobody may deploy anywhere — the store
 * fails closed.
 */
import { AppStoreError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { NamespaceGrants } from './namespace-policy-file.js';
import type { DeployAccessReviewer } from './rbac-deploy-access.js';

/** SubjectAccessReviews in flight at once for GET /namespaces. */
const REVIEW_CONCURRENCY = 8;

export class NamespacePolicy {
  constructor(
    private grants: NamespaceGrants = new Map(),
    private readonly rbac?: DeployAccessReviewer,
  ) {}

  /** The namespaces file changed: these grants decide from now on. */
  replaceGrants(grants: NamespaceGrants): void {
    this.grants = grants;
  }

  /** The namespaces the caller may deploy into, sorted (GET /namespaces). */
  async namespacesFor(principal: Principal): Promise<string[]> {
    const allowed = new Set([...this.grants.keys()].filter((ns) => this.grantedByFile(principal, ns)));
    if (this.rbac) {
      const candidates = (await this.rbac.namespaces()).filter((ns) => !allowed.has(ns));
      for (let i = 0; i < candidates.length; i += REVIEW_CONCURRENCY) {
        const batch = candidates.slice(i, i + REVIEW_CONCURRENCY);
        const verdicts = await Promise.all(batch.map((ns) => this.rbac?.mayDeploy(principal, ns)));
        batch.forEach((ns, j) => verdicts[j] && allowed.add(ns));
      }
    }
    return [...allowed].sort();
  }

  async mayDeploy(principal: Principal, namespace: string): Promise<boolean> {
    if (this.grantedByFile(principal, namespace)) return true;
    return this.rbac ? this.rbac.mayDeploy(principal, namespace) : false;
  }

  /** PermissionDenied (403) unless the caller may deploy into the namespace. */
  async assertMayDeploy(principal: Principal, namespace: string): Promise<void> {
    if (!(await this.mayDeploy(principal, namespace))) {
      throw new AppStoreError('PermissionDenied', `you may not deploy into namespace ${namespace}`, { namespace });
    }
  }

  private grantedByFile(principal: Principal, namespace: string): boolean {
    const ids = this.grants.get(namespace);
    if (ids === undefined) return false;
    return ids.has(principal.id) || principal.groups.some((g) => ids.has(g));
  }
}
