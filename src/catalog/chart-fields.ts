import type { ChartMetadata, Maintainer } from './types.js';

/**
 * The Chart.yaml fields of one index entry, read leniently: index files are
 * written by many tools (helm, chartmuseum, hand-edited ones), and a field of
 * the wrong type (a numeric `appVersion: 1.0`, a keyword that is a number)
 * should cost that field, not the whole version. Only what identifies a
 * version (name, version, digest, urls) makes an entry unusable; those are
 * checked in index-file.ts.
 */
export function chartFields(entry: Readonly<Record<string, unknown>>, name: string, version: string): ChartMetadata {
  return {
    apiVersion: text(entry.apiVersion) || 'v1',
    name,
    version,
    appVersion: text(entry.appVersion),
    description: text(entry.description),
    keywords: texts(entry.keywords),
    home: text(entry.home),
    sources: texts(entry.sources),
    maintainers: Array.isArray(entry.maintainers) ? entry.maintainers.flatMap(maintainer) : [],
    icon: text(entry.icon),
    deprecated: entry.deprecated === true,
  };
}

/** Strings as they are; numbers as YAML wrote them (Helm's own index writer would have quoted them). */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

function texts(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map(text).filter((s) => s !== '');
}

function maintainer(value: unknown): Maintainer[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const m = value as Record<string, unknown>;
  return [{ name: text(m.name), email: text(m.email), url: text(m.url) }];
}
