/**
 * A line diff of two texts (a release's values as YAML, its rendered manifest), as `diff -u` shows it: `+` added,
 * `-` removed, unchanged lines kept only around a change so a long manifest stays readable. The sign is text, not
 * only colour, so it reads the same to a screen reader and in high contrast. `diff` (jsdiff) runs no eval, so it
 * works under the UI's CSP.
 */
import { diffLines } from 'diff';

export interface DiffLine {
  readonly sign: '+' | '-' | ' ' | '…';
  readonly text: string;
}

/** Unchanged lines kept before and after each change. */
const CONTEXT = 3;

/** The diff as lines; runs of unchanged lines far from any change become one `…` line saying how many. */
export function lineDiff(before: string, after: string, context = CONTEXT): DiffLine[] {
  const all: DiffLine[] = [];
  for (const part of diffLines(before, after)) {
    const sign = part.added ? '+' : part.removed ? '-' : ' ';
    const lines = part.value.replace(/\n$/, '').split('\n');
    for (const text of lines) all.push({ sign, text });
  }
  const near = all.map(() => false);
  all.forEach((line, i) => {
    if (line.sign === ' ') return;
    for (let j = Math.max(0, i - context); j <= Math.min(all.length - 1, i + context); j++) near[j] = true;
  });
  const out: DiffLine[] = [];
  let skipped = 0;
  const flush = () => {
    if (skipped > 0) out.push({ sign: '…', text: `${skipped} unchanged line${skipped === 1 ? '' : 's'}` });
    skipped = 0;
  };
  all.forEach((line, i) => {
    if (line.sign !== ' ' || near[i]) {
      flush();
      out.push(line);
    } else skipped++;
  });
  flush();
  return out;
}

/** A titled diff; says "No changes" when the texts are the same. */
export function LineDiff({ title, before, after }: { title: string; before: string; after: string }) {
  const lines = before === after ? [] : lineDiff(before, after);
  const added = lines.filter((l) => l.sign === '+').length;
  const removed = lines.filter((l) => l.sign === '-').length;
  return (
    <figure className="diff">
      <figcaption>
        {title}{' '}
        <span className="muted small">{lines.length === 0 ? 'No changes' : `${added} added, ${removed} removed`}</span>
      </figcaption>
      {lines.length > 0 && (
        <pre className="code diff-lines" tabIndex={0} aria-label={`${title}: ${added} lines added, ${removed} removed`}>
          {lines.map((l, i) => (
            <span key={i} className={l.sign === '+' ? 'diff-add' : l.sign === '-' ? 'diff-del' : l.sign === '…' ? 'diff-skip' : undefined}>
              {l.sign === '…' ? `… ${l.text}` : `${l.sign} ${l.text}`}
              {'\n'}
            </span>
          ))}
        </pre>
      )}
    </figure>
  );
}
