/**
 * Claims (from a verified JWT or an introspection response) → Principal.
 * Groups come from a configurable claim, because providers disagree on its
 * name (`groups`, `roles`, a namespaced URI); only string members count.
 */
import type { Authenticated } from './types.js';

export function groupsFromClaim(claims: Readonly<Record<string, unknown>>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (!Array.isArray(value)) return [];
  return [...new Set(value.filter((g): g is string => typeof g === 'string' && g !== ''))];
}

export function principalFromClaims(
  claims: Readonly<Record<string, unknown>>,
  subject: string,
  groupsClaim: string,
  source: string,
): Authenticated {
  const name = typeof claims.name === 'string' ? claims.name : typeof claims.preferred_username === 'string' ? claims.preferred_username : undefined;
  const email = typeof claims.email === 'string' && claims.email.includes('@') ? claims.email : undefined;
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  return {
    id: subject,
    ...(name !== undefined && { name }),
    ...(email !== undefined && { email }),
    groups: groupsFromClaim(claims, groupsClaim),
    kind: 'user',
    source,
    ...(exp !== undefined && { expiresAt: exp }),
  };
}
