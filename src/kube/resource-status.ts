/**
 * Live health of a release's objects, read from the API server: workloads
 * report ready/desired replicas, Pods their Ready condition, Jobs completion,
 * claims their binding; anything else is Ready when it exists.
 */
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import type { ManifestObjectRef, ResourceHealth, ResourceStatusReader } from '../releases/types.js';
import { fromKubeError, statusOf } from './kube-errors.js';

type Live = KubernetesObject & {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

export class KubeResourceStatusReader implements ResourceStatusReader {
  constructor(private readonly objects: KubernetesObjectApi) {}

  read(refs: readonly ManifestObjectRef[]): Promise<ResourceHealth[]> {
    return Promise.all(refs.map((ref) => this.readOne(ref)));
  }

  private async readOne(ref: ManifestObjectRef): Promise<ResourceHealth> {
    let live: Live;
    try {
      live = (await this.objects.read({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, namespace: ref.namespace },
      })) as Live;
    } catch (err) {
      if (statusOf(err) === 404) return { ...ref, health: 'Missing', ready: '' };
      const failure = fromKubeError(`read ${ref.kind} ${ref.name}`, err);
      // An unreachable API server fails the whole status call (503); anything else marks this object only.
      if (failure.code === 'Unavailable') throw failure;
      return { ...ref, health: 'Unknown', ready: '' };
    }
    return { ...ref, ...healthOf(ref.kind, live) };
  }
}

const num = (value: unknown, fallback = 0): number => (typeof value === 'number' ? value : fallback);

export function healthOf(kind: string, live: Live): Pick<ResourceHealth, 'health' | 'ready'> {
  const spec = live.spec ?? {};
  const status = live.status ?? {};
  const settled = num(status.observedGeneration, Number.MAX_SAFE_INTEGER) >= num(live.metadata?.generation, 0);
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet': {
      const desired = num(spec.replicas, 1);
      const ready = num(status.readyReplicas);
      const updated = kind === 'ReplicaSet' ? ready : num(status.updatedReplicas);
      const ok = settled && ready >= desired && updated >= desired;
      return { health: ok ? 'Ready' : 'Progressing', ready: `${ready}/${desired}` };
    }
    case 'DaemonSet': {
      const desired = num(status.desiredNumberScheduled);
      const ready = num(status.numberReady);
      return { health: settled && ready >= desired ? 'Ready' : 'Progressing', ready: `${ready}/${desired}` };
    }
    case 'Pod': {
      const conditions = (status.conditions ?? []) as Array<{ type?: string; status?: string }>;
      const ready = conditions.some((c) => c.type === 'Ready' && c.status === 'True');
      const failed = status.phase === 'Failed';
      return { health: failed ? 'Degraded' : ready ? 'Ready' : 'Progressing', ready: ready ? '1/1' : '0/1' };
    }
    case 'Job': {
      const completions = num(spec.completions, 1);
      const succeeded = num(status.succeeded);
      const failed = num(status.failed) > num(spec.backoffLimit, 6);
      return { health: failed ? 'Degraded' : succeeded >= completions ? 'Ready' : 'Progressing', ready: `${succeeded}/${completions}` };
    }
    case 'PersistentVolumeClaim':
      return { health: status.phase === 'Bound' ? 'Ready' : 'Progressing', ready: '' };
    default:
      return { health: 'Ready', ready: '' };
  }
}
