/**
 * The answer to a release whose objects would leave its namespace: one 422
 * that names each offending object, whoever found them (the store's check of
 * a Tiller dry run, or the Helm engine's check between render and apply).
 */
import { AppStoreError } from './errors.js';

export interface Offence {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** Where it was rendered (template or hook), when known. */
  readonly source?: string;
  readonly reason: string;
}

const LISTED = 20;

export function tenancyRefusal(offences: readonly Offence[], namespace: string, extra: Record<string, unknown> = {}): AppStoreError {
  const listed = offences.slice(0, LISTED).map(describe).join('; ');
  const more = offences.length > LISTED ? `; and ${offences.length - LISTED} more` : '';
  return new AppStoreError(
    'Unprocessable',
    `refused before anything was applied: a release may only create objects in its namespace ${namespace}: ${listed}${more}`,
    {
      fields: offences.map((o) => ({ path: objectPath(o), message: o.source ? `${o.reason} (${o.source})` : o.reason })),
      tenancy: true,
      ...extra,
    },
  );
}

function objectPath(o: Offence): string {
  if (o.kind === '') return o.source ?? '';
  return o.namespace === '' ? `${o.kind}/${o.name}` : `${o.kind}/${o.namespace}/${o.name}`;
}

function describe(o: Offence): string {
  if (o.kind === '') return `${o.source ?? ''}: ${o.reason}`;
  return `${o.kind} "${o.name}": ${o.reason}`;
}
