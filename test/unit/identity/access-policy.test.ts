import { AppStoreError } from '../../../src/domain/errors.js';
import type { Principal } from '../../../src/domain/principal.js';
import { AccessPolicy, canSeeRelease } from '../../../src/identity/access-policy.js';
import { NamespacePolicy } from '../../../src/identity/namespace-policy.js';

const alice: Principal = { id: 'alice', groups: ['fc:org:example.org', 'fc:adhoc:devs'], kind: 'user', source: 'static' };
const bob: Principal = { id: 'bob', groups: ['fc:org:example.org'], kind: 'user', source: 'dataporten' };
const stranger: Principal = { id: 'mallory', groups: ['fc:org:elsewhere.org'], kind: 'user', source: 'oidc' };
const robot: Principal = { id: 'system:serviceaccount:ci:deployer', groups: ['system:serviceaccounts', 'system:serviceaccounts:ci'], kind: 'serviceaccount', source: 'serviceaccount' };

function denial(fn: () => void): AppStoreError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppStoreError);
    expect((err as AppStoreError).code).toBe('PermissionDenied');
    return err as AppStoreError;
  }
  throw new Error('expected PermissionDenied');
}

describe('who may see a release', () => {
  const release = { owner: 'alice', adminGroups: ['fc:adhoc:devs'] };

  test.each([
    ['the owner', alice, release, true],
    ['a member of an adminGroup', { ...bob, groups: ['fc:adhoc:devs'] }, release, true],
    ['someone in another group of the owner', bob, release, false],
    ['a stranger', stranger, release, false],
    ['a service account that owns it', robot, { owner: robot.id, adminGroups: [] }, true],
    ['a service account in an adminGroup', robot, { owner: 'alice', adminGroups: ['system:serviceaccounts:ci'] }, true],
    ['a service account outside', robot, release, false],
    ['nobody, when the owner is empty', { ...stranger, id: '' }, { owner: '', adminGroups: [] }, false],
  ])('%s: %s', (_who, principal, r, expected) => {
    expect(canSeeRelease(principal, r)).toBe(expected);
  });
});

describe('adminGroups a caller may name', () => {
  const policy = new AccessPolicy(new NamespacePolicy(), { adminGroupsMembersOnly: true });

  test('groups the caller belongs to, or none', () => {
    expect(() => policy.assertAdminGroupsAllowed(alice, ['fc:adhoc:devs', 'fc:org:example.org'])).not.toThrow();
    expect(() => policy.assertAdminGroupsAllowed(alice, [])).not.toThrow();
  });

  test('a group the caller is not in is 403, naming it', () => {
    const err = denial(() => policy.assertAdminGroupsAllowed(bob, ['fc:org:example.org', 'fc:adhoc:devs']));
    expect(err.message).toBe('you are not a member of: fc:adhoc:devs');
    expect(err.details.groups).toEqual(['fc:adhoc:devs']);
  });

  test('when configured, any group may be named — but never a reserved system: group', () => {
    const open = new AccessPolicy(new NamespacePolicy(), { adminGroupsMembersOnly: false });
    expect(() => open.assertAdminGroupsAllowed(bob, ['fc:adhoc:devs'])).not.toThrow();
    expect(denial(() => open.assertAdminGroupsAllowed(bob, ['system:authenticated'])).message).toMatch(/reserved/);
    expect(denial(() => policy.assertAdminGroupsAllowed(robot, ['system:serviceaccounts'])).message).toMatch(/reserved/);
  });
});
