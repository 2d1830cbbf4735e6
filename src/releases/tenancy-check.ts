/**
 * A release stays in its namespace. Before anything is applied, every object
 * of the rendered release (manifest and hooks) is checked:
 * - a namespaced object must be in the release's namespace (empty means it);
 * - a cluster-scoped object, or one of a kind the API server does not serve
 *   (its scope cannot be known), is refused unless the operator allowed
 *   cluster-scoped objects for the chart's repository or the chart;
 * - a workload's pods must pass the namespace's Pod Security admission, so
 *   a privileged pod is a clear refusal instead of a Deployment whose pods
 *   are never created.
 * Scope comes from the API server's discovery, not from a list of kinds. A
 * refusal names every offending object and nothing is applied.
 */
import { tenancyRefusal, type Offence as BaseOffence } from '../domain/tenancy-refusal.js';
import { renderedObjects, type RenderedObject, type RenderedRelease } from './rendered-objects.js';
import { podTemplateOf } from './pod-templates.js';
import type { ObjectScopes, PodAdmission } from './types.js';

export interface TenancyCheckDeps {
  readonly scopes: ObjectScopes;
  readonly admission?: PodAdmission;
  /** Whether the operator allowed cluster-scoped objects for this package (`<repo>/<chart>`). */
  readonly allowsClusterScoped: (application: string) => boolean;
}

/** An offending object; the store's check always knows the template it came from. */
export type Offence = BaseOffence & { readonly source: string };

export class TenancyCheck {
  constructor(private readonly deps: TenancyCheckDeps) {}

  /** Whether the operator allowed cluster-scoped objects for this package (`<repo>/<chart>`). */
  allowsClusterScoped(application: string): boolean {
    return this.deps.allowsClusterScoped(application);
  }

  /** Unprocessable, naming each offending object, unless the whole release stays in `namespace`. */
  async assertConfined(release: RenderedRelease, target: { namespace: string; application: string }): Promise<void> {
    const offences = await this.offences(release, target);
    if (offences.length > 0) throw tenancyRefusal(offences, target.namespace);
  }

  async offences(release: RenderedRelease, target: { namespace: string; application: string }): Promise<Offence[]> {
    const { objects, unreadable } = renderedObjects(release);
    const offences: Offence[] = unreadable.map((u) => ({ kind: '', name: '', namespace: '', source: u.source, reason: u.reason }));
    const allowed = this.allowsClusterScoped(target.application);
    const scoped = await Promise.all(objects.map(async (o) => ({ o, scope: await this.deps.scopes.scopeOf(o.apiVersion, o.kind) })));
    for (const { o, scope } of scoped) {
      const reason = scopeOffence(o, scope, target.namespace, allowed);
      if (reason) offences.push(offence(o, reason));
    }
    if (this.deps.admission) {
      const pods = objects.flatMap((o) => {
        const template = podTemplateOf(o.kind, o.body);
        return template ? [{ object: o, template }] : [];
      });
      const refusals = await this.deps.admission.refusals(target.namespace, pods.map((p) => p.template));
      refusals.forEach((reason, i) => {
        const pod = pods[i];
        if (reason && pod) offences.push(offence(pod.object, reason));
      });
    }
    return offences;
  }

  /** The cluster-scoped objects of a rendered release, and those whose kind the API server does not serve. */
  async clusterScoped(release: RenderedRelease): Promise<Array<{ kind: string; name: string; served: boolean }>> {
    const { objects } = renderedObjects(release);
    const scoped = await Promise.all(objects.map(async (o) => ({ o, scope: await this.deps.scopes.scopeOf(o.apiVersion, o.kind) })));
    return scoped.filter(({ scope }) => scope !== 'namespaced').map(({ o, scope }) => ({ kind: o.kind, name: o.name, served: scope !== undefined }));
  }
}

function scopeOffence(o: RenderedObject, scope: 'namespaced' | 'cluster' | undefined, namespace: string, allowed: boolean): string | undefined {
  if (scope === 'namespaced') {
    return o.namespace === '' || o.namespace === namespace ? undefined : `in namespace ${o.namespace}, outside the release's namespace ${namespace}`;
  }
  if (allowed) return undefined;
  return scope === 'cluster'
    ? 'cluster-scoped, and the operator has not allowed cluster-scoped objects for this chart (allowClusterScoped)'
    : `kind ${o.apiVersion} ${o.kind} is not served by the cluster, so its scope cannot be checked`;
}

function offence(o: RenderedObject, reason: string): Offence {
  return { kind: o.kind, name: o.name, namespace: o.namespace, source: o.source, reason };
}
