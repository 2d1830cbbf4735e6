import { invalidArgument } from '../domain/errors.js';
import type { ChartFile } from './chart-files.js';
import { compileGlob } from './glob.js';

/** Name of the ignore file at a chart's root. */
export const HELMIGNORE = '.helmignore';

/** The rule Helm always adds when loading a chart directory: dotfiles in templates/. */
const DEFAULT_RULES = ['templates/.?*'];

interface Rule {
  readonly negate: boolean;
  readonly mustDir: boolean;
  /** Match against the basename only (rule had no `/`), or the whole path. */
  readonly basenameOnly: boolean;
  readonly glob: RegExp;
}

/**
 * Rules of a .helmignore file, evaluated exactly as Helm 2 (pkg/ignore) does,
 * so that a chart folder loaded here has the same files as `helm package`
 * or `helm install <dir>` would send to Tiller:
 *
 * - one rule a line, surrounding spaces trimmed, blank lines and `#` lines skipped
 * - `**` is refused (Helm errors rather than guess at gitignore semantics)
 * - trailing `/`: the rule only applies to directories
 * - leading `/`: matched against the whole path from the chart root
 * - a rule containing `/` is matched against the whole path; one without
 *   `/` against the basename, at any depth
 * - rules are tried in order and the first positive match ignores the path.
 *   A `!rule` is NOT a gitignore-style re-include: Helm ignores every path
 *   that does not match it (and every file, for `!dir/`), and lets the
 *   remaining rules decide for the paths that do. We keep that behaviour so
 *   charts load identically here and with the helm CLI.
 */
export class HelmIgnore {
  private constructor(private readonly rules: readonly Rule[]) {}

  /** Parses .helmignore text; throws InvalidArgument on `**` or a malformed glob. */
  static parse(text: string): HelmIgnore {
    const rules: Rule[] = [];
    text.split('\n').forEach((line, index) => {
      const rule = parseRule(line, index + 1);
      if (rule !== undefined) rules.push(rule);
    });
    return new HelmIgnore(rules);
  }

  /** Rules from the chart's .helmignore (if any) plus Helm's defaults. */
  static forChart(files: readonly ChartFile[]): HelmIgnore {
    const own = files.find((f) => f.path === HELMIGNORE);
    const parsed = own === undefined ? [] : HelmIgnore.parse(own.data.toString('utf8')).rules;
    return new HelmIgnore([...parsed, ...DEFAULT_RULES.map((r) => parseRule(r, 0)).filter(isRule)]);
  }

  /** Whether `path` (relative to the chart root, `/`-separated) is ignored. */
  ignores(path: string, isDir: boolean): boolean {
    if (path === '' || path === '.' || path === './') return false;
    const basename = path.slice(path.lastIndexOf('/') + 1);
    for (const rule of this.rules) {
      const matches = (): boolean => rule.glob.test(rule.basenameOnly ? basename : path);
      if (rule.negate) {
        if (rule.mustDir && !isDir) return true;
        if (!matches()) return true;
        continue;
      }
      if (rule.mustDir && !isDir) continue;
      if (matches()) return true;
    }
    return false;
  }

  /**
   * Drops ignored files the way Helm's directory walk does: a file goes if
   * any directory above it is ignored (the walk skips that subtree) or if
   * the file itself is.
   */
  filter(files: readonly ChartFile[]): ChartFile[] {
    const dirVerdicts = new Map<string, boolean>();
    const dirIgnored = (dir: string): boolean => {
      let verdict = dirVerdicts.get(dir);
      if (verdict === undefined) {
        verdict = this.ignores(dir, true);
        dirVerdicts.set(dir, verdict);
      }
      return verdict;
    };
    return files.filter((file) => {
      const segments = file.path.split('/');
      for (let depth = 1; depth < segments.length; depth++) {
        if (dirIgnored(segments.slice(0, depth).join('/'))) return false;
      }
      return !this.ignores(file.path, false);
    });
  }
}

function isRule(rule: Rule | undefined): rule is Rule {
  return rule !== undefined;
}

function parseRule(line: string, lineNo: number): Rule | undefined {
  let rule = line.trim();
  if (rule === '' || rule.startsWith('#')) return undefined;
  if (rule.includes('**')) {
    throw invalidArgument(`${HELMIGNORE} line ${lineNo}: double-star (**) syntax is not supported`);
  }
  try {
    compileGlob(rule);
  } catch {
    throw invalidArgument(`${HELMIGNORE} line ${lineNo}: invalid pattern '${rule}'`);
  }
  const negate = rule.startsWith('!');
  if (negate) rule = rule.slice(1);
  const mustDir = rule.endsWith('/');
  if (mustDir) rule = rule.slice(0, -1);
  const rooted = rule.startsWith('/');
  if (rooted) rule = rule.slice(1);
  return { negate, mustDir, basenameOnly: !rooted && !rule.includes('/'), glob: compileOrNever(rule) };
}

/** Stripping `!` and `/` can break an escape (`foo\\/`); Go then never matches. */
function compileOrNever(rule: string): RegExp {
  try {
    return compileGlob(rule);
  } catch {
    return /(?!)/;
  }
}
