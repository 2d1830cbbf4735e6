import { ConfigError } from '../../../src/config.js';
import { AppStoreError } from '../../../src/domain/errors.js';
import type { Principal } from '../../../src/domain/principal.js';
import { NamespacePolicy } from '../../../src/identity/namespace-policy.js';
import { parseNamespacePolicy } from '../../../src/identity/namespace-policy-file.js';
import type { DeployAccessReviewer } from '../../../src/identity/rbac-deploy-access.js';

const alice: Principal = { id: 'alice', groups: ['fc:org:example.org', 'fc:adhoc:devs'], kind: 'user', source: 'static' };
const bob: Principal = { id: 'bob', groups: ['fc:org:example.org'], kind: 'user', source: 'static' };
const carol: Principal = { id: '76a7a061-3c55-430d-8ee0-6f82ec42501f', groups: [], kind: 'user', source: 'dataporten' };
const stranger: Principal = { id: 'mallory', groups: ['fc:org:elsewhere.org'], kind: 'user', source: 'oidc' };

const FILE = `
default: ["fc:org:example.org"]
devs:
  - fc:adhoc:devs
  - 76a7a061-3c55-430d-8ee0-6f82ec42501f
locked: []
`;

describe('the namespaces file', () => {
  test('maps each namespace to the group and user ids allowed there', () => {
    const grants = parseNamespacePolicy(FILE);
    expect([...grants.keys()]).toEqual(['default', 'devs', 'locked']);
    expect([...(grants.get('devs') ?? [])]).toEqual(['fc:adhoc:devs', '76a7a061-3c55-430d-8ee0-6f82ec42501f']);
    expect(grants.get('locked')?.size).toBe(0);
  });

  test('an empty file grants nothing', () => {
    expect(parseNamespacePolicy('').size).toBe(0);
  });

  test.each([
    ['not YAML', 'default: [unclosed', /not valid YAML/],
    ['a list at the top', '- default', /expected a mapping/],
    ['a bad namespace name', 'Default_NS: [a]', /"Default_NS" is not a valid namespace name/],
    ['a scalar instead of a list', 'default: fc:org:example.org', /default: expected a list/],
    ['a non-string entry', 'default: [42]', /default: every entry must be a non-empty string, got 42/],
    ['an empty entry', 'default: [""]', /default: every entry must be a non-empty string/],
  ])('rejects %s, naming APPSTORE_NAMESPACES_FILE', (_what, text, message) => {
    expect(() => parseNamespacePolicy(text)).toThrow(ConfigError);
    expect(() => parseNamespacePolicy(text)).toThrow(/^APPSTORE_NAMESPACES_FILE: /);
    expect(() => parseNamespacePolicy(text)).toThrow(message);
  });
});

describe('namespace policy from the file', () => {
  const policy = new NamespacePolicy(parseNamespacePolicy(FILE));

  test('namespacesFor lists the namespaces granted to any of the caller\'s groups or to the caller', async () => {
    await expect(policy.namespacesFor(alice)).resolves.toEqual(['default', 'devs']);
    await expect(policy.namespacesFor(bob)).resolves.toEqual(['default']);
    await expect(policy.namespacesFor(carol)).resolves.toEqual(['devs']);
    await expect(policy.namespacesFor(stranger)).resolves.toEqual([]);
  });

  test('deploying anywhere else is PermissionDenied', async () => {
    await expect(policy.assertMayDeploy(alice, 'devs')).resolves.toBeUndefined();
    for (const [who, ns] of [[bob, 'devs'], [alice, 'locked'], [alice, 'kube-system'], [stranger, 'default']] as const) {
      const err = await policy.assertMayDeploy(who, ns).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(AppStoreError);
      expect((err as AppStoreError).code).toBe('PermissionDenied');
      expect((err as AppStoreError).details.namespace).toBe(ns);
    }
  });

  test('with no policy at all nobody may deploy', async () => {
    const none = new NamespacePolicy();
    await expect(none.mayDeploy(alice, 'default')).resolves.toBe(false);
    await expect(none.namespacesFor(alice)).resolves.toEqual([]);
  });
});

describe('namespace policy with RBAC as well', () => {
  /** Grants what a map says, like a SubjectAccessReview would. */
  class FakeRbac implements DeployAccessReviewer {
    reviews: string[] = [];
    constructor(private readonly allowed: Record<string, string[]>) {}
    async mayDeploy(principal: Principal, namespace: string): Promise<boolean> {
      this.reviews.push(`${principal.id}@${namespace}`);
      return (this.allowed[namespace] ?? []).some((id) => id === principal.id || principal.groups.includes(id));
    }
    async namespaces(): Promise<string[]> {
      return ['default', 'team-a', 'team-b', 'kube-system'];
    }
  }

  test('either source is enough, and the file is asked first', async () => {
    const rbac = new FakeRbac({ 'team-a': ['fc:org:example.org'] });
    const policy = new NamespacePolicy(parseNamespacePolicy(FILE), rbac);
    await expect(policy.mayDeploy(bob, 'default')).resolves.toBe(true);
    expect(rbac.reviews).toEqual([]);
    await expect(policy.mayDeploy(bob, 'team-a')).resolves.toBe(true);
    await expect(policy.mayDeploy(bob, 'team-b')).resolves.toBe(false);
  });

  test('namespacesFor unites the file with every namespace RBAC allows', async () => {
    const policy = new NamespacePolicy(parseNamespacePolicy(FILE), new FakeRbac({ 'team-a': ['bob'], 'team-b': ['alice'] }));
    await expect(policy.namespacesFor(bob)).resolves.toEqual(['default', 'team-a']);
    await expect(policy.namespacesFor(stranger)).resolves.toEqual([]);
  });
});
