/**
 * Names the store checks wherever they arrive (REST's JSON Schemas, the service
 * layer that gRPC shares, the namespaces file), so that every door accepts the
 * same ones and /openapi.json can state the very rule.
 */

/** A Kubernetes namespace name: a DNS-1123 label (lower-case letters, digits and "-", a letter or digit at each end). */
export const NAMESPACE_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The longest DNS-1123 label, so the longest namespace name. */
export const NAMESPACE_MAX_LENGTH = 63;

/**
 * Text that is not blank: it holds a character that String.prototype.trim keeps (trim removes exactly ECMAScript's
 * WhiteSpace and LineTerminator, listed here one by one so that every regex engine, not only JavaScript's \s, reads
 * the same set).
 */
export const NOT_BLANK_PATTERN = /[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/**
 * The length of a text in Unicode code points, as JSON Schema's minLength and maxLength count it (an emoji is one,
 * though it takes two UTF-16 units in a JavaScript string).
 */
export function codePointLength(text: string): number {
  let length = 0;
  // A pair of surrogates is one code point; a lone one counts as one, as it does for JSON Schema validators.
  for (let i = 0; i < text.length; i++, length++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return length;
}
