import { groupsFromClaim, principalFromClaims } from '../../../src/identity/oidc-claims.js';

test('groups come from the configured claim: a list keeps its strings, once each; a string is one group', () => {
  const claims = { groups: ['a', 'b', 'a', 42, '', null], roles: 'admin', empty: '' };
  expect(groupsFromClaim(claims, 'groups')).toEqual(['a', 'b']);
  expect(groupsFromClaim(claims, 'roles')).toEqual(['admin']);
  expect(groupsFromClaim(claims, 'empty')).toEqual([]);
  expect(groupsFromClaim(claims, 'missing')).toEqual([]);
  expect(groupsFromClaim({ groups: { nested: true } }, 'groups')).toEqual([]);
});

test('a principal carries the name (or preferred_username) and the expiry of the token', () => {
  expect(principalFromClaims({ name: 'Alice', exp: 2_000_000_000, groups: ['g'] }, 'alice', 'groups', 'oidc')).toEqual({
    id: 'alice',
    name: 'Alice',
    groups: ['g'],
    kind: 'user',
    source: 'oidc',
    expiresAt: 2_000_000_000_000,
  });
  expect(principalFromClaims({ preferred_username: 'al' }, 'alice', 'groups', 'oidc')).toEqual({
    id: 'alice',
    name: 'al',
    groups: [],
    kind: 'user',
    source: 'oidc',
  });
});

test('an email claim is kept (a release contact); one that is not an address is not', () => {
  expect(principalFromClaims({ email: 'dana@example.org' }, 'dana', 'groups', 'oidc').email).toBe('dana@example.org');
  expect(principalFromClaims({ email: 'not an address' }, 'dana', 'groups', 'oidc').email).toBeUndefined();
});
