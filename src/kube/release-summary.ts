/**
 * A release record's summary kept in its Secret's metadata (an annotation,
 * and the state label), so that listing releases and counting them by state
 * can use a metadata-only list and never read, let alone decode, anyone's
 * values. Records written before summaries existed lack the annotation; they
 * are read in full instead (see release-store.ts).
 */
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { ReleaseRecord, ReleaseSummary } from '../releases/types.js';

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const RELEASE_LABEL = 'appstore.io/release';
export const STATE_LABEL = 'appstore.io/state';
export const SUMMARY_ANNOTATION = 'appstore.io/summary';
const SECRET_PREFIX = 'appstore-release-';
const STATES: ReadonlySet<string> = new Set<ReleaseRecord['state']>(['pending', 'deployed', 'deleting']);
const isState = (value: string | undefined): value is ReleaseRecord['state'] => value !== undefined && STATES.has(value);

export function secretName(id: string): string {
  return `${SECRET_PREFIX}${id}`;
}

/** The release id of a record's Secret: its label, or its name for a Secret that lost the label. */
export function releaseIdOf(meta: V1ObjectMeta | undefined): string | undefined {
  const label = meta?.labels?.[RELEASE_LABEL];
  if (label) return label;
  return meta?.name?.startsWith(SECRET_PREFIX) ? meta.name.slice(SECRET_PREFIX.length) : undefined;
}

/** The metadata written with a record: labels and the summary annotation. */
export function recordMetadata(record: ReleaseRecord): Pick<V1ObjectMeta, 'labels' | 'annotations'> {
  const summary = { owner: record.owner, adminGroups: record.adminGroups, createdAt: record.createdAt, updatedAt: record.updatedAt };
  return {
    labels: { [MANAGED_BY]: 'appstore', [RELEASE_LABEL]: record.id, [STATE_LABEL]: record.state },
    annotations: { [SUMMARY_ANNOTATION]: JSON.stringify(summary) },
  };
}

export function summaryOfRecord(record: ReleaseRecord): ReleaseSummary {
  const { id, owner, adminGroups, state, createdAt, updatedAt } = record;
  return { id, owner, adminGroups, state, createdAt, updatedAt };
}

/** The summary in a Secret's metadata, or undefined when it has none (an older record) or a malformed one. */
export function summaryOfMetadata(meta: V1ObjectMeta | undefined): ReleaseSummary | undefined {
  const id = releaseIdOf(meta);
  const state = meta?.labels?.[STATE_LABEL];
  const raw = meta?.annotations?.[SUMMARY_ANNOTATION];
  if (!id || !isState(state) || !raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { owner, adminGroups, createdAt, updatedAt } = parsed as Record<string, unknown>;
  if (typeof owner !== 'string' || typeof createdAt !== 'string' || typeof updatedAt !== 'string') return undefined;
  if (!Array.isArray(adminGroups) || !adminGroups.every((g): g is string => typeof g === 'string')) return undefined;
  return { id, owner, adminGroups, state, createdAt, updatedAt };
}
