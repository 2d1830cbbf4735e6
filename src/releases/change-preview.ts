/**
 * What an upgrade or a rollback would do, without doing it: the revision it
 * would make beside the current one (chart version, rendered manifest, notes,
 * the user's values), so that a person can read the diffs before saying yes.
 *
 * An upgrade is rendered by the engine's own dry run (UpdateRelease with
 * dry_run), with the values merged exactly as the upgrade merges them. A
 * rollback makes a new revision out of the target's stored manifest and
 * config, so the preview reads the target revision: the same on Tiller and on
 * the Helm engine (whose Rollback action has no dry run).
 */
import type { Release as TillerRelease } from '../../gen/hapi/release/release.js';
import { readValues } from '../charts/index.js';
import type { Values } from './values.js';

/** One side of a preview: a revision as stored, or as the change would store it. */
export interface RevisionContent {
  readonly revision: number;
  readonly version: string;
  readonly manifest: string;
  readonly notes: string;
  /** The user's values, without what the store generated for the chart. */
  readonly values: Values;
}

export interface ChangePreview {
  readonly current: RevisionContent;
  readonly proposed: RevisionContent;
}

/** The key of the values the store generates for a chart (its OAuth client); not the user's. */
const GENERATED = 'appstore_generated_data';

/** The user's values of a stored revision: its config, without what the store generated (as a rollback restores them). */
export function userValues(release: TillerRelease): Values {
  const values = readValues(release.config?.raw ?? '', `revision ${release.version} values`);
  delete values[GENERATED];
  return values;
}

/**
 * What the store generated into a revision's config (`{ appstore_generated_data }`), or undefined: an upgrade keeps
 * the release's client, so its preview renders with the same generated values.
 */
export function generatedValues(release: TillerRelease): Values | undefined {
  const values = readValues(release.config?.raw ?? '', `revision ${release.version} values`);
  return values[GENERATED] === undefined ? undefined : { [GENERATED]: values[GENERATED] };
}

export function revisionContent(release: TillerRelease, values: Values = userValues(release)): RevisionContent {
  return {
    revision: release.version,
    version: release.chart?.metadata?.version ?? '',
    manifest: release.manifest,
    notes: release.info?.status?.notes ?? '',
    values,
  };
}
