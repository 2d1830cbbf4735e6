import { invalidArgument } from '../domain/errors.js';
import { entrySegments } from './entry-path.js';
import type { ArchiveBudget } from './limits.js';

/**
 * One file of a chart, with its path relative to the chart's root
 * (`Chart.yaml`, `templates/deployment.yaml`, `charts/redis/values.yaml`).
 * Both the archive reader and directory-like inputs produce this shape, so
 * that one loader serves archives, unpacked folders and subchart folders.
 */
export interface ChartFile {
  readonly path: string;
  readonly data: Buffer;
}

/**
 * Validates a directory-like input (files already relative to the chart
 * root) with the same guards as an archive: safe paths, no duplicates, and
 * the shared entry/byte budget. Returns a copy with normalised paths.
 *
 * @param where prefix for error messages, e.g. `charts/redis/: `
 */
export function normalizeChartFiles(
  files: readonly ChartFile[],
  budget: ArchiveBudget,
  where = '',
): ChartFile[] {
  const seen = new Set<string>();
  const out: ChartFile[] = [];
  for (const file of files) {
    const segments = entrySegments(file.path, where);
    if (segments.length === 0) {
      throw invalidArgument(`${where}entry '${file.path}' has an empty path`, { entry: file.path });
    }
    const path = segments.join('/');
    if (seen.has(path)) {
      throw invalidArgument(`${where}duplicate entry '${file.path}'`, { entry: file.path });
    }
    seen.add(path);
    budget.countEntry(file.path, where);
    budget.checkDeclaredSize(file.path, file.data.length, where);
    budget.countBytes(file.path, file.data.length, file.data.length, where);
    out.push({ path, data: file.data });
  }
  return out;
}
