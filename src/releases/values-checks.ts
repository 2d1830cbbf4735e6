/**
 * What user values must be before anything works on them: nested at most
 * MAX_VALUES_DEPTH deep, strings (keys too) of well-formed UTF-16, numbers
 * finite, and no larger than the configured cap once serialised. The walk is
 * iterative: values arrive already parsed (JSON.parse and the protobuf
 * decoder take deep input), and everything after them (merging, YAML,
 * schema validation) recurses and would overflow the stack.
 */
import { AppStoreError, invalidArgument } from '../domain/errors.js';
import { boundedText } from '../domain/error-text.js';

/**
 * The deepest nesting of objects and arrays accepted (the values mapping
 * itself is level 1). gRPC's Struct decoder stops at 100 message levels,
 * which is 33 levels of nested objects: the same limit holds on both
 * transports, and a Helm chart's values rarely go past 10.
 */
export const MAX_VALUES_DEPTH = 32;

/** The default cap on values serialised as JSON: a quarter of what a release record (one Secret, 1 MiB) holds. */
export const DEFAULT_MAX_VALUES_BYTES = 256 * 1024;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the text holds a lone UTF-16 surrogate, which no UTF-8 encoder (YAML for Tiller, protobuf) can carry. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

interface Node {
  readonly value: unknown;
  readonly depth: number;
  readonly key: string;
  readonly parent: Node | undefined;
}

/** InvalidArgument naming the first offending path, e.g. `values.service.type`. */
export function checkValuesShape(values: unknown, root = 'values'): void {
  const stack: Node[] = [{ value: values, depth: 1, key: root, parent: undefined }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const { value } = node;
    if (typeof value === 'string') {
      if (hasLoneSurrogate(value)) fail(node, 'is not valid Unicode text (it holds a lone UTF-16 surrogate)');
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) fail(node, 'is not a finite number');
    } else if (typeof value === 'object' && value !== null) {
      if (node.depth > MAX_VALUES_DEPTH) fail(node, `is nested deeper than ${MAX_VALUES_DEPTH} levels`);
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
      for (const [key, child] of entries) {
        const next = { value: child, depth: node.depth + 1, key, parent: node };
        if (hasLoneSurrogate(key)) fail(next, 'is a key that is not valid Unicode text (it holds a lone UTF-16 surrogate)');
        stack.push(next);
      }
    } else if (typeof value !== 'boolean' && value !== null) {
      fail(node, 'is not a JSON value');
    }
  }
}

/** Unprocessable when the values take more than `maxBytes` as JSON; `what` says which values ("values", "merged values"). */
export function checkValuesSize(values: unknown, maxBytes: number, what = 'values'): void {
  const size = Buffer.byteLength(JSON.stringify(values));
  if (size <= maxBytes) return;
  throw new AppStoreError('Unprocessable', `${what} take ${size} bytes as JSON; the limit is ${maxBytes} bytes`, {
    parameter: 'values',
    limit: maxBytes,
    size,
  });
}

function fail(node: Node, message: string): never {
  const path = boundedText(pathOf(node), 256);
  throw invalidArgument(`${path} ${message}`, { fields: [{ path, message }] });
}

function pathOf(node: Node): string {
  const keys: string[] = [];
  // Keys are printed escaped, so a lone surrogate in one shows as an escape such as \ud800 rather than breaking the message.
  for (let n: Node | undefined = node; n; n = n.parent) keys.push(hasLoneSurrogate(n.key) ? JSON.stringify(n.key) : n.key);
  return keys.reverse().join('.');
}
