/**
 * resourceVersions are opaque to clients, but the API server's are etcd
 * revisions: compared as numbers when they are, so that an index fed from two
 * sides that may cross (a watch, and this process's own writes) keeps the
 * newest of each object. Unknown versions are never taken for older.
 */
import type { V1Secret } from '@kubernetes/client-node';

export function parseVersion(raw: string | undefined): bigint | undefined {
  return raw !== undefined && /^\d+$/.test(raw) ? BigInt(raw) : undefined;
}

export function versionOf(secret: V1Secret | undefined): bigint | undefined {
  return parseVersion(secret?.metadata?.resourceVersion);
}

/** Whether `incoming` is not newer than `known` (unknown versions are never taken for older). */
export const older = (incoming: bigint | undefined, known: bigint | undefined): boolean =>
  incoming !== undefined && known !== undefined && incoming <= known;
