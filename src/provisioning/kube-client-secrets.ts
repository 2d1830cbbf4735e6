/**
 * Client secrets (client_secret, registration access token) in one
 * Kubernetes Secret per release, in the store's own namespace, next to the
 * release records but apart from them, so that a record (which the API
 * answers from) never carries a secret. Kept here rather than in kube/
 * because only provisioning reads it.
 */
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { fromKubeError, statusOf } from '../kube/kube-errors.js';
import type { ClientSecrets, ClientSecretStore } from './types.js';

const MANAGED_BY = 'app.kubernetes.io/managed-by';
const RELEASE_LABEL = 'appstore.io/release';
const SECRET_TYPE = 'appstore.io/client-secrets.v1';

export function clientSecretName(releaseId: string): string {
  return `appstore-client-${releaseId}`;
}

export class KubeClientSecretStore implements ClientSecretStore {
  constructor(
    private readonly core: CoreV1Api,
    private readonly namespace: string,
  ) {}

  async put(releaseId: string, secrets: ClientSecrets): Promise<string> {
    const name = clientSecretName(releaseId);
    const body: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: SECRET_TYPE,
      metadata: { name, namespace: this.namespace, labels: { [MANAGED_BY]: 'appstore-provisioning', [RELEASE_LABEL]: releaseId } },
      stringData: {
        ...(secrets.clientSecret !== undefined && { client_secret: secrets.clientSecret }),
        ...(secrets.registrationAccessToken !== undefined && { registration_access_token: secrets.registrationAccessToken }),
      },
    };
    try {
      await this.core.createNamespacedSecret({ namespace: this.namespace, body });
    } catch (err) {
      if (statusOf(err) !== 409) throw fromKubeError('store client secrets', err);
      try {
        await this.core.replaceNamespacedSecret({ name, namespace: this.namespace, body });
      } catch (replaceErr) {
        throw fromKubeError('store client secrets', replaceErr);
      }
    }
    return name;
  }

  async get(releaseId: string): Promise<ClientSecrets | undefined> {
    let secret: V1Secret;
    try {
      secret = await this.core.readNamespacedSecret({ name: clientSecretName(releaseId), namespace: this.namespace });
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw fromKubeError('read client secrets', err);
    }
    const read = (key: string) => {
      const raw = secret.data?.[key];
      return raw === undefined ? undefined : Buffer.from(raw, 'base64').toString('utf8');
    };
    const clientSecret = read('client_secret');
    const registrationAccessToken = read('registration_access_token');
    return {
      ...(clientSecret !== undefined && { clientSecret }),
      ...(registrationAccessToken !== undefined && { registrationAccessToken }),
    };
  }

  async delete(releaseId: string): Promise<void> {
    try {
      await this.core.deleteNamespacedSecret({ name: clientSecretName(releaseId), namespace: this.namespace });
    } catch (err) {
      if (statusOf(err) !== 404) throw fromKubeError('delete client secrets', err);
    }
  }
}
