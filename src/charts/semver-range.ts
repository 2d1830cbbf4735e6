import semver from 'semver';

/**
 * Whether a chart version satisfies a requirements.yaml version constraint,
 * as Helm 2's version.IsCompatibleRange (Masterminds/semver v1) decides.
 *
 * Masterminds joins AND-ed comparators with commas (`>=1.2, <2`) where
 * node-semver uses spaces, so commas are turned into spaces. As in Helm, an
 * empty or malformed constraint, or a malformed version, matches nothing:
 * such a dependency is then not treated as listed in requirements.yaml.
 */
export function isCompatibleRange(constraint: string, version: string): boolean {
  if (constraint.trim() === '' || semver.valid(version) === null) return false;
  const range = semver.validRange(constraint.replaceAll(',', ' '));
  return range !== null && semver.satisfies(version, range);
}
