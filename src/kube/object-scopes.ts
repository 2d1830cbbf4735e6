/**
 * The scope of a kind (namespaced or cluster-scoped) as the API server's
 * discovery documents it, per group version. client-node's own discovery
 * cache never forgets; this one is dropped every few minutes, so that a CRD
 * added, removed or re-scoped later is seen.
 */
import { KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import type { ObjectScopes } from '../releases/types.js';
import { fromKubeError, statusOf } from './kube-errors.js';

/** client-node keeps its discovery lookup protected; this opens it. */
class Discovery extends KubernetesObjectApi {
  lookup(apiVersion: string, kind: string) {
    return this.resource(apiVersion, kind);
  }
}

export class KubeObjectScopes implements ObjectScopes {
  private api: Discovery;
  private madeAt = Date.now();

  constructor(
    private readonly config: KubeConfig,
    private readonly ttlMs = 5 * 60_000,
  ) {
    this.api = config.makeApiClient(Discovery);
  }

  async scopeOf(apiVersion: string, kind: string): Promise<'namespaced' | 'cluster' | undefined> {
    if (Date.now() - this.madeAt > this.ttlMs) {
      this.api = this.config.makeApiClient(Discovery);
      this.madeAt = Date.now();
    }
    // A group version is one path segment or two; anything else is no kind the API server serves.
    if (!/^([a-z0-9.-]+\/)?v[a-z0-9]+$/.test(apiVersion)) return undefined;
    try {
      const resource = await this.api.lookup(apiVersion, kind);
      if (!resource) return undefined;
      return resource.namespaced ? 'namespaced' : 'cluster';
    } catch (err) {
      // An unknown group version is 404: not served. Anything else means the check cannot be made now.
      if (statusOf(err) === 404) return undefined;
      throw fromKubeError(`discover ${apiVersion} ${kind}`, err);
    }
  }
}
