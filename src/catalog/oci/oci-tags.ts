/**
 * The rules that turn an OCI registry's tags and paging into chart versions,
 * as Helm applies them: a tag is a version when it is strict SemVer once `_`
 * is read as `+` (OCI tags may not contain `+`, so Helm writes build
 * metadata with `_`); anything else (`latest`, `v1.2.3`, a digest-like tag)
 * is not a chart version.
 */
import semver, { type SemVer } from 'semver';

/** The chart version a tag stands for, or undefined when the tag is not one. */
export function chartVersionOfTag(tag: string): { version: string; semver: SemVer } | undefined {
  const version = tag.replaceAll('_', '+');
  // node-semver accepts a leading `v` or `=` even when strict; Helm's StrictNewVersion does not.
  if (!/^\d/.test(version)) return undefined;
  const parsed = semver.parse(version);
  return parsed === null || parsed.raw !== version ? undefined : { version, semver: parsed };
}

/** The tag a chart version is pushed as. */
export function tagOfChartVersion(version: string): string {
  return version.replaceAll('+', '_');
}

/**
 * The next page of a paged list (`/v2/_catalog`, `/v2/<name>/tags/list`), from
 * the `Link: <url>; rel="next"` header (RFC 8288), resolved against the URL of
 * the page that named it. Undefined on the last page. A link to another origin
 * is refused: the registry's credentials would follow it.
 */
export function nextPageUrl(link: string | null, current: string): string | undefined {
  if (link === null) return undefined;
  for (const part of link.split(',')) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!match || !/(?:^|;)\s*rel\s*=\s*"?next"?\s*(?:;|$)/i.test(match[2] ?? '')) continue;
    const next = new URL(match[1] ?? '', current);
    if (next.origin !== new URL(current).origin) throw new Error(`the registry's next page ${next.origin} is on another origin`);
    return next.href;
  }
  return undefined;
}
