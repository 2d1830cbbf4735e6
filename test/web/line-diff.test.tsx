/** The diffs shown before an upgrade or a rollback: signs as text, unchanged runs folded, "No changes" when equal. */
// @vitest-environment jsdom
import { render } from '@testing-library/react';
import { expect, test } from 'vitest';
import { LineDiff, lineDiff } from '../../src/web/components/line-diff.js';
import { valuesYaml } from '../../src/web/pages/change-dialog.js';

test('a changed line shows as removed then added, with its neighbours as context', () => {
  expect(lineDiff('a\nb\nc\n', 'a\nB\nc\n')).toEqual([
    { sign: ' ', text: 'a' },
    { sign: '-', text: 'b' },
    { sign: '+', text: 'B' },
    { sign: ' ', text: 'c' },
  ]);
});

test('unchanged lines far from any change fold into one line that counts them', () => {
  const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
  const after = before.replace('line 10', 'line ten');
  const lines = lineDiff(before, after, 2);
  expect(lines[0]).toEqual({ sign: '…', text: '8 unchanged lines' });
  expect(lines.filter((l) => l.sign === ' ').map((l) => l.text)).toEqual(['line 8', 'line 9', 'line 11', 'line 12']);
  expect(lines.at(-1)).toEqual({ sign: '…', text: '7 unchanged lines' });
});

test('the component counts what changed and prints the signs as text', () => {
  const { container } = render(<LineDiff title="Rendered manifest" before={'kind: ConfigMap\nversion: "1.0.0"\n'} after={'kind: ConfigMap\nversion: "1.1.0"\n'} />);
  expect(container.querySelector('figcaption')?.textContent).toBe('Rendered manifest 1 added, 1 removed');
  expect(container.querySelector('pre')?.textContent).toBe('  kind: ConfigMap\n- version: "1.0.0"\n+ version: "1.1.0"\n');
});

test('equal texts say "No changes" and show no listing', () => {
  const { container } = render(<LineDiff title="Values" before="a: 1\n" after="a: 1\n" />);
  expect(container.textContent).toContain('No changes');
  expect(container.querySelector('pre')).toBeNull();
});

test('values diff independently of key order', () => {
  expect(valuesYaml({ b: 1, a: { d: 2, c: 3 } })).toBe(valuesYaml({ a: { c: 3, d: 2 }, b: 1 }));
  expect(valuesYaml({})).toBe('');
});
