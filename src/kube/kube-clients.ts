/** @kubernetes/client-node clients from a kubeconfig path, or the default (~/.kube/config, then in-cluster). */
import { createHash } from 'node:crypto';
import { Agent } from 'node:https';
import { CoordinationV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, type RequestContext } from '@kubernetes/client-node';

/**
 * client-node 1.x makes a new https.Agent for every request, so every call
 * pays a TLS handshake. This keeps one keep-alive agent per TLS identity
 * (CA, client certificate, server name), built from the same options.
 */
export class KeepAliveKubeConfig extends KubeConfig {
  private readonly agents = new Map<string, Agent>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    if (!(fresh instanceof Agent) || fresh.constructor !== Agent) return; // proxies keep their own
    const options = fresh.options;
    const key = createHash('sha256')
      .update(JSON.stringify([options.ca, options.cert, options.key, options.rejectUnauthorized, options.servername].map(String)))
      .digest('hex');
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({ ...options, keepAlive: true, maxSockets: 64 });
      this.agents.set(key, agent);
    }
    context.setAgent(agent);
  }
}

export interface KubeClients {
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly objects: KubernetesObjectApi;
  /** Leases (per-release locks across replicas). */
  readonly coordination: CoordinationV1Api;
}

export function kubeClients(kubeconfig: string | undefined): KubeClients {
  const config = new KeepAliveKubeConfig();
  if (kubeconfig) config.loadFromFile(kubeconfig);
  else config.loadFromDefault();
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    objects: KubernetesObjectApi.makeApiClient(config),
    coordination: config.makeApiClient(CoordinationV1Api),
  };
}

/** Creates the namespace if it does not exist (the store's own, for its records). */
export async function ensureNamespace(core: CoreV1Api, name: string): Promise<void> {
  try {
    await core.readNamespace({ name });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 404) throw err;
    await core.createNamespace({ body: { metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'appstore' } } } });
  }
}
