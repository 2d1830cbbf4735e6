import type { Chart } from '../../gen/hapi/chart/chart.js';
import type { Metadata } from '../../gen/hapi/chart/metadata.js';

/**
 * A copy of a chart tree that can be changed freely (dependencies pruned,
 * renamed, values rewritten) without touching the original, which callers
 * may cache or reuse for another release. File and template contents are
 * shared: they are never modified, only passed along.
 *
 * @param rename a new metadata name for the copy (used for aliases)
 */
export function cloneChart(chart: Chart, rename?: string): Chart {
  const metadata = chart.metadata === undefined ? undefined : cloneMetadata(chart.metadata);
  if (metadata !== undefined && rename !== undefined) metadata.name = rename;
  return {
    metadata,
    templates: chart.templates.map((t) => ({ name: t.name, data: t.data })),
    dependencies: chart.dependencies.map((d) => cloneChart(d)),
    values: chart.values === undefined ? undefined : { raw: chart.values.raw, values: { ...chart.values.values } },
    files: chart.files.map((f) => ({ typeUrl: f.typeUrl, value: f.value })),
  };
}

function cloneMetadata(m: Metadata): Metadata {
  return {
    ...m,
    sources: [...m.sources],
    keywords: [...m.keywords],
    maintainers: m.maintainers.map((x) => ({ ...x })),
    annotations: { ...m.annotations },
  };
}
