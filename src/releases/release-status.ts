/**
 * The status of a release as the seed shows it: lastDeployed ("YYYY-MM-DD
 * HH:MM:SS", UTC), namespace, Tiller's status code name, notes, and the
 * resources of its manifest with the health of their live objects (not
 * Tiller's kubectl-style text table).
 */
import type { Release } from '../../gen/hapi/release/release.js';
import type { ManifestObjectRef, ReleaseRecord, ResourceHealth, ResourceStatusReader } from './types.js';
import { renderedObjects } from './rendered-objects.js';
import { statusName } from './status-names.js';

export interface ReleaseStatusView {
  readonly lastDeployed: string;
  readonly namespace: string;
  readonly status: string;
  readonly resources: readonly ResourceHealth[];
  readonly notes: string;
  /** The OAuth client provisioned for the release, if any (the seed's `"dataporten": {"client_id": …}`). */
  readonly dataporten?: { readonly clientId: string; readonly state: string };
}

export async function describeStatus(
  record: ReleaseRecord,
  release: Release,
  reader: ResourceStatusReader,
): Promise<ReleaseStatusView> {
  const info = release.info;
  const namespace = release.namespace || record.namespace;
  return {
    lastDeployed: seedTime(info?.lastDeployed),
    namespace,
    status: statusName(info?.status?.code),
    resources: await reader.read(manifestObjects(release.manifest, namespace)),
    notes: info?.status?.notes ?? '',
    ...(record.provisioned && { dataporten: { clientId: record.provisioned.clientId, state: record.provisioned.state } }),
  };
}

/** "2017-06-02 12:34:20" in UTC, as in the seed. */
export function seedTime(date: Date | undefined): string {
  return date ? date.toISOString().slice(0, 19).replace('T', ' ') : '';
}

/**
 * The objects a rendered manifest declares, read as the tenancy check reads them (rendered-objects.ts); namespaced
 * ones default to the release's namespace. Objects named by generateName only have no live counterpart to look up.
 */
export function manifestObjects(manifest: string, namespace: string): ManifestObjectRef[] {
  return renderedObjects({ manifest, hooks: [] })
    .objects.filter((o) => typeof (o.body.metadata as { name?: unknown } | undefined)?.name === 'string')
    .map(({ kind, apiVersion, name, namespace: own }) => ({ kind, apiVersion, name, namespace: own || namespace }));
}
