/**
 * A 422's per-field errors (paths such as "image.tag" or "values.replicaCount")
 * as @rjsf's extraErrors, so that each message shows on its own field.
 */
import type { ErrorSchema } from '@rjsf/utils';
import type { FieldError } from '../api/problem.js';

export function fieldErrorSchema(errors: readonly FieldError[]): ErrorSchema | undefined {
  if (errors.length === 0) return undefined;
  const root: Record<string, unknown> = {};
  for (const { path, message } of errors) {
    const parts = path.replace(/^values\.?/, '').split('.').filter((p) => p !== '' && p !== '(root)');
    let node = root;
    for (const part of parts) node = (node[part] ??= {}) as Record<string, unknown>;
    ((node.__errors ??= []) as string[]).push(message);
  }
  return root as ErrorSchema;
}
