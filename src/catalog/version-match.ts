/**
 * The one rule by which a version a caller names finds a chart version, for
 * installs, upgrades and the catalog alike: the exact string first, else the
 * version equal to it in semver terms, so that `v1.0.0` finds `1.0.0` and
 * `1.0.0` finds `v1.0.0`, as Helm's repository lookup (`--version`) does.
 * Whoever answers names the chart's own spelling, never the caller's.
 */
import semver from 'semver';

export function matchVersion<T>(candidates: readonly T[], wanted: string, versionOf: (candidate: T) => string): T | undefined {
  const exact = candidates.find((c) => versionOf(c) === wanted);
  if (exact !== undefined) return exact;
  const parsed = semver.parse(wanted);
  if (parsed === null) return undefined;
  return candidates.find((c) => semver.valid(versionOf(c)) !== null && semver.compareBuild(versionOf(c), parsed) === 0);
}
