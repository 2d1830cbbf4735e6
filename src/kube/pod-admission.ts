/**
 * Asks the namespace's Pod Security admission about a workload's pods before
 * the release is applied: each pod template is created as a Pod with
 * `dryRun=All`, which runs admission and persists nothing. For a Deployment
 * the API server only warns, and the pods are later refused one by one by
 * the ReplicaSet controller, leaving an install that never becomes ready;
 * asked this way the refusal is an answer to the user.
 *
 * Only Pod Security's refusals count: the service account is left out (a
 * chart's own ServiceAccount does not exist yet at this point) and any other
 * refusal is left to the real apply to report.
 */
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type { PodAdmission } from '../releases/types.js';
import { fromKubeError, statusOf } from './kube-errors.js';

export class KubePodAdmission implements PodAdmission {
  constructor(private readonly core: CoreV1Api) {}

  refusals(
    namespace: string,
    pods: ReadonlyArray<{ readonly metadata: Readonly<Record<string, unknown>>; readonly spec: Readonly<Record<string, unknown>> }>,
  ): Promise<Array<string | undefined>> {
    return Promise.all(pods.map((pod) => this.refusal(namespace, pod)));
  }

  private async refusal(
    namespace: string,
    pod: { readonly metadata: Readonly<Record<string, unknown>>; readonly spec: Readonly<Record<string, unknown>> },
  ): Promise<string | undefined> {
    const spec: Record<string, unknown> = { ...pod.spec };
    for (const key of ['serviceAccountName', 'serviceAccount', 'nodeName']) delete spec[key];
    const annotations = pod.metadata.annotations;
    const body = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: 'appstore-admission-check-',
        namespace,
        ...(typeof annotations === 'object' && annotations !== null && { annotations }),
      },
      spec: { ...spec, automountServiceAccountToken: false },
    } as unknown as V1Pod;
    try {
      await this.core.createNamespacedPod({ namespace, body, dryRun: 'All' });
      return undefined;
    } catch (err) {
      const status = statusOf(err);
      if (status === undefined || status >= 500 || status === 429) throw fromKubeError(`admission check of a pod in ${namespace}`, err);
      const message = apiMessage(err);
      if (status !== 403 || !message.includes('violates PodSecurity')) return undefined;
      // `pods "appstore-admission-check-x7k2p" is forbidden: violates PodSecurity ...`: the probe's name is noise.
      return `its pods would be refused: ${message.replace(/^pods "[^"]*" is forbidden: /, '')}`;
    }
  }
}

/** The Status message of an API server refusal (client-node puts the body in the error). */
function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  const parsed: unknown = typeof body === 'string' ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String((err as Error).message ?? err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
