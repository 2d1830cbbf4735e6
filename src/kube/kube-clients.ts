/** @kubernetes/client-node clients from a kubeconfig path, or the default (~/.kube/config, then in-cluster). */
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';

export interface KubeClients {
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly objects: KubernetesObjectApi;
}

export function kubeClients(kubeconfig: string | undefined): KubeClients {
  const config = new KubeConfig();
  if (kubeconfig) config.loadFromFile(kubeconfig);
  else config.loadFromDefault();
  return { config, core: config.makeApiClient(CoreV1Api), objects: KubernetesObjectApi.makeApiClient(config) };
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
