/**
 * SubjectAccessReview answers remembered as TokenReview's are (principal-cache.ts):
 * an allowed answer for the success TTL (APPSTORE_AUTH_CACHE_TTL_SECONDS), a
 * denied one only for the failure TTL (APPSTORE_AUTH_FAILURE_TTL_SECONDS), so
 * that a RoleBinding just added works within seconds; failures to ask (an
 * outage) are never remembered. Keyed by a sha256 of who asks (id, kind,
 * groups) and where; concurrent identical questions share one review, so a
 * GET /namespaces over many namespaces or a burst of installs does not send
 * the API server one review per request.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../domain/principal.js';
import type { DeployAccessReviewer } from './rbac-deploy-access.js';

export interface DeployAccessCacheOptions {
  readonly successTtlMs: number;
  readonly failureTtlMs: number;
  readonly maxEntries: number;
}

export class CachedDeployAccess implements DeployAccessReviewer {
  private readonly answers: LRUCache<string, boolean>;
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly reviewer: DeployAccessReviewer,
    private readonly options: DeployAccessCacheOptions,
  ) {
    this.answers = new LRUCache({ max: options.maxEntries });
  }

  async mayDeploy(principal: Principal, namespace: string): Promise<boolean> {
    const key = keyOf(principal, namespace);
    const known = this.answers.get(key);
    if (known !== undefined) return known;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.review(key, principal, namespace).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  namespaces(): Promise<string[]> {
    return this.reviewer.namespaces();
  }

  private async review(key: string, principal: Principal, namespace: string): Promise<boolean> {
    const allowed = await this.reviewer.mayDeploy(principal, namespace);
    const ttl = allowed ? this.options.successTtlMs : this.options.failureTtlMs;
    if (ttl > 0) this.answers.set(key, allowed, { ttl });
    return allowed;
  }
}

function keyOf(principal: Principal, namespace: string): string {
  const who = [principal.kind, principal.id, [...principal.groups].sort(), namespace];
  return createHash('sha256').update(JSON.stringify(who)).digest('hex');
}
