/** Tiller's storage Secrets as Tiller writes them (--storage=secret), for the index and storage tests. */
import type { V1Secret } from '@kubernetes/client-node';
import { Release } from '../../../gen/hapi/release/release.js';
import { Status_Code } from '../../../gen/hapi/release/status.js';
import { encodeStoredRelease } from '../../../src/kube/tiller-codec.js';

export function tillerSecret(name: string, revision: number, status: keyof typeof Status_Code, resourceVersion: string, uid = `${name}-${revision}`): V1Secret {
  const release = Release.fromPartial({ name, version: revision, namespace: 'apps', info: { status: { code: Status_Code[status] }, Description: `${status} ${resourceVersion}` } });
  return {
    metadata: {
      name: `${name}.v${revision}`,
      namespace: 'kube-system',
      uid,
      resourceVersion,
      labels: { NAME: name, OWNER: 'TILLER', VERSION: String(revision), STATUS: status },
    },
    data: { release: encodeStoredRelease(release) },
  };
}
