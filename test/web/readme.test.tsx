/** README rendering: Markdown to HTML, with everything that could run script removed. */
// @vitest-environment jsdom
import { expect, test } from 'vitest';
import { renderReadme } from '../../src/web/components/readme.js';

test('Markdown tables and code render', () => {
  const html = renderReadme('# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n`code`');
  expect(html).toContain('<h1>Title</h1>');
  expect(html).toContain('<table>');
  expect(html).toContain('<code>code</code>');
});

test('scripts, event handlers, javascript: links, forms and inline styles are removed', () => {
  const html = renderReadme(
    [
      '<script>alert(1)</script>',
      '<img src="x" onerror="alert(2)">',
      '[x](javascript:alert(3)) and <a href="javascript:alert(4)">y</a>',
      '<form action="/x"><input name="a"></form>',
      '<p style="position:fixed">s</p>',
      '<iframe src="https://example.org"></iframe>',
    ].join('\n\n'),
  );
  expect(html).toContain('<img src="x"');
  expect(html).not.toMatch(/<script|onerror|href="javascript:|<form|<input|style=|<iframe/i);
});

test('links open apart, without a referrer', () => {
  expect(renderReadme('[home](https://example.org)')).toContain('rel="noopener noreferrer nofollow"');
});
