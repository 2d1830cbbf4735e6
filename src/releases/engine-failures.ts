/**
 * What a change's failure in the engine means to the user. A chart the engine
 * refuses to render, or values it refuses, is the request's fault in a way
 * the request's syntax is not: a 422. Helm's values.schema.json check (a
 * Helm engine's, for apiVersion v2 charts) lists each failing field per chart
 * in text; those become the same `fields` the store's own schema check gives,
 * with paths in the user's values (a subchart's under its name or alias).
 */
import { AppStoreError } from '../domain/errors.js';

const SCHEMA_FAILURE = /values don't meet the specifications of the schema\(s\) in the following chart\(s\):\n([\s\S]*)$/;

export function changeFailure(err: unknown, chartName: string): AppStoreError {
  const failure = AppStoreError.from(err);
  if (failure.code !== 'InvalidArgument' && failure.code !== 'Unprocessable') return failure;
  const upstream = typeof failure.details.upstream === 'string' ? failure.details.upstream : failure.message;
  const fields = failure.details.fields === undefined ? helmSchemaFields(upstream, chartName) : undefined;
  if (failure.code === 'Unprocessable' && !fields) return failure;
  return new AppStoreError('Unprocessable', failure.message, fields ? { ...failure.details, fields } : failure.details, { cause: failure });
}

/**
 * The fields of Helm's schema failure, e.g. "dashboard:\n- at '/replicaCount': maximum: got 9, want 5\n
 * sessions:\n- at '': missing property 'replicas'"; undefined when the text is not one.
 */
export function helmSchemaFields(text: string, chartName: string): Array<{ path: string; message: string }> | undefined {
  const body = SCHEMA_FAILURE.exec(text)?.[1];
  if (body === undefined) return undefined;
  const fields: Array<{ path: string; message: string }> = [];
  let scope: string[] = [];
  for (const line of body.split('\n')) {
    const chart = /^([^\s-][^:]*):\s*$/.exec(line);
    if (chart) {
      scope = chart[1] === chartName ? [] : [chart[1]!];
      continue;
    }
    const failing = /^\s*- at '([^']*)': (.*)$/.exec(line);
    if (!failing) continue;
    const pointer = failing[1]!.split('/').filter(Boolean).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
    const message = failing[2]!;
    const missing = /^missing propert(?:y|ies) (.*)$/.exec(message);
    const names = missing ? [...missing[1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!) : [undefined];
    for (const name of names) {
      const path = [...scope, ...pointer, ...(name === undefined ? [] : [name])].join('.') || '(root)';
      fields.push({ path, message: name === undefined ? message : 'is required' });
    }
  }
  return fields.length > 0 ? fields : undefined;
}
