/** Which version of a package the UI offers first. */
import type { Package } from './types.js';

/** The newest version a non-development release may install, else the newest. */
export function defaultVersion(pkg: Package): string {
  return (pkg.versions.find((v) => !v.prerelease && !v.development) ?? pkg.versions[0])?.version ?? pkg.chart.version;
}
