/**
 * The pod a workload object will make, as Pod Security admission judges it:
 * the template's metadata (AppArmor and seccomp annotations count) and spec.
 * Only the built-in workload kinds are known; a custom resource's pods are
 * judged by admission when its controller creates them.
 */
export interface PodTemplate {
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly spec: Readonly<Record<string, unknown>>;
}

const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export function podTemplateOf(kind: string, body: Readonly<Record<string, unknown>>): PodTemplate | undefined {
  const path = TEMPLATE_PATHS[kind];
  if (!path) return undefined;
  let at: unknown = body;
  for (const key of path) at = isRecord(at) ? at[key] : undefined;
  if (!isRecord(at) || !isRecord(at.spec)) return undefined;
  return { metadata: isRecord(at.metadata) ? at.metadata : {}, spec: at.spec };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
