/**
 * Compiles a glob with the exact syntax of Go's `path/filepath.Match` (on a
 * `/`-separated system), which is what Helm uses for .helmignore rules:
 *
 * - `*` any run of characters other than `/`; `?` one character other than `/`
 * - `[abc]`, `[a-z]`, `[^a-z]` character classes (which may match `/`)
 * - `\x` the character x literally
 *
 * The whole name must match. Malformed patterns (unclosed class, empty
 * class, trailing backslash, a range starting with `-` or `]`) throw, as Go
 * returns ErrBadPattern for them. Reversed ranges are legal and match
 * nothing, as in Go.
 */
export function compileGlob(pattern: string): RegExp {
  const chars = Array.from(pattern);
  let i = 0;
  let source = '';

  const take = (): string => {
    const c = chars[i];
    if (c === undefined) throw new SyntaxError(`bad glob pattern '${pattern}'`);
    i += 1;
    return c;
  };
  // A class member: a literal, or an escaped character. '-' and ']' must be escaped.
  const classChar = (): string => {
    const c = take();
    if (c === '-' || c === ']') throw new SyntaxError(`bad glob pattern '${pattern}'`);
    return c === '\\' ? take() : c;
  };

  while (i < chars.length) {
    const c = take();
    if (c === '*') {
      source += '[^/]*';
    } else if (c === '?') {
      source += '[^/]';
    } else if (c === '\\') {
      source += literal(take());
    } else if (c === '[') {
      let negate = false;
      if (chars[i] === '^') {
        negate = true;
        i += 1;
      }
      let ranges = '';
      let count = 0;
      for (;;) {
        if (chars[i] === ']' && count > 0) {
          i += 1;
          break;
        }
        const lo = classChar();
        let hi = lo;
        if (chars[i] === '-') {
          i += 1;
          hi = classChar();
        }
        count += 1;
        if (codePoint(lo) <= codePoint(hi)) ranges += `${classLiteral(lo)}-${classLiteral(hi)}`;
      }
      source += negate ? `[^${ranges}]` : `[${ranges}]`;
    } else {
      source += literal(c);
    }
  }
  return new RegExp(`^(?:${source})$`, 'u');
}

function codePoint(c: string): number {
  return c.codePointAt(0) ?? 0;
}

function literal(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

function classLiteral(c: string): string {
  return `\\u{${codePoint(c).toString(16)}}`;
}
