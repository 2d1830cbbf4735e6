import { invalidArgument } from '../domain/errors.js';

/**
 * Splits an archive or directory entry name into clean path segments,
 * refusing every name that could point outside the chart.
 *
 * Nothing is ever written to disk, but the paths end up in the Chart sent to
 * Tiller and are shown to users, so hostile names are refused rather than
 * repaired: absolute paths (also Windows drive paths), `..` segments and
 * backslashes (which Helm would reinterpret as separators). Empty and `.`
 * segments are harmless and dropped, as `path.Clean` would; the result is
 * empty for names such as `./`, which the caller decides about.
 *
 * @param name the raw entry name, used verbatim in error messages
 * @param where a prefix for error messages (e.g. the nested archive's path)
 */
export function entrySegments(name: string, where = ''): string[] {
  const label = `${where}entry '${name}'`;
  if (name.includes('\\')) {
    throw invalidArgument(`${label} contains a backslash; chart paths must use '/'`, { entry: name });
  }
  if (name.includes('\0')) {
    throw invalidArgument(`${label} contains a NUL character`, { entry: name });
  }
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) {
    throw invalidArgument(`${label} has an absolute path`, { entry: name });
  }
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    throw invalidArgument(`${label} references a parent directory ('..')`, { entry: name });
  }
  return segments;
}
