/**
 * Kubernetes RBAC as a source of namespace rights: a SubjectAccessReview asks
 * the API server whether the caller (user = principal id, with its groups)
 * may create Deployments (apps) in a namespace, so cluster admins can grant
 * deploy rights with ordinary Roles and RoleBindings.
 *
 * Ids and groups from Dataporten or an OpenID Provider are not Kubernetes
 * identities: a user id or group in the reserved `system:` space (say a
 * groups claim holding system:masters) would borrow the rights of a real
 * Kubernetes identity, so such users are never reviewed and such groups are
 * left out. Service accounts are reviewed as themselves.
 */
import type { AuthorizationV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { Principal } from '../domain/principal.js';
import { kubeFailure } from './kube-failure.js';

/** What the namespace policy asks Kubernetes. */
export interface DeployAccessReviewer {
  mayDeploy(principal: Principal, namespace: string): Promise<boolean>;
  /** The namespaces that exist, to review for GET /namespaces. */
  namespaces(): Promise<string[]>;
}

const RESERVED = 'system:';

export class RbacDeployAccess implements DeployAccessReviewer {
  constructor(
    private readonly authorization: AuthorizationV1Api,
    private readonly core: CoreV1Api,
  ) {}

  async mayDeploy(principal: Principal, namespace: string): Promise<boolean> {
    const user = principal.kind === 'serviceaccount' ? principal : withoutReservedNames(principal);
    if (user === undefined) return false;
    try {
      const review = await this.authorization.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: user.id,
            groups: [...user.groups],
            resourceAttributes: { namespace, verb: 'create', group: 'apps', resource: 'deployments' },
          },
        },
      });
      return review.status?.allowed === true && review.status.denied !== true;
    } catch (err) {
      throw kubeFailure('SubjectAccessReview', err);
    }
  }

  async namespaces(): Promise<string[]> {
    try {
      const list = await this.core.listNamespace();
      return list.items.flatMap((ns) => (ns.metadata?.name ? [ns.metadata.name] : []));
    } catch (err) {
      throw kubeFailure('list namespaces', err);
    }
  }
}

function withoutReservedNames(principal: Principal): { id: string; groups: readonly string[] } | undefined {
  if (principal.id.startsWith(RESERVED)) return undefined;
  return { id: principal.id, groups: principal.groups.filter((g) => !g.startsWith(RESERVED)) };
}
