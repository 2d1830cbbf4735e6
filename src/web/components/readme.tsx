/**
 * A chart's README, rendered from Markdown and sanitized: the README is
 * untrusted input, so DOMPurify drops scripts, event handlers, javascript:
 * URLs, forms and inline styles before React puts the HTML in the page (the
 * CSP would refuse inline script too: two walls, not one).
 */
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useMemo } from 'react';

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('rel', 'noopener noreferrer nofollow');
    node.setAttribute('target', '_blank');
  }
  if (node.tagName === 'IMG') node.setAttribute('referrerpolicy', 'no-referrer');
});

export function renderReadme(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true });
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe'],
    FORBID_ATTR: ['style'],
  });
}

export function Readme({ markdown }: { markdown: string }) {
  const html = useMemo(() => renderReadme(markdown), [markdown]);
  if (!markdown.trim()) return <p className="muted">This chart has no README.</p>;
  // Focusable: a wide table or code block scrolls sideways, and keyboard users must be able to scroll it.
  return <div className="readme" tabIndex={0} role="region" aria-label="README" dangerouslySetInnerHTML={{ __html: html }} />;
}
