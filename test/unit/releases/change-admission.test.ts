/**
 * What a change passes before it starts: the per-user limit of changes in
 * flight (ResourceExhausted with a Retry-After), and the release quotas,
 * counted from the store's records.
 */
import { AppStoreError } from '../../../src/domain/errors.js';
import type { Principal } from '../../../src/domain/principal.js';
import { ChangeAdmission } from '../../../src/releases/change-admission.js';
import { currentChangeOwner } from '../../../src/releases/change-owner.js';
import { ReleaseQuotas } from '../../../src/releases/release-quotas.js';
import type { ReleaseRecord } from '../../../src/releases/types.js';

const user = (id: string, groups: string[] = []): Principal => ({ id, groups, kind: 'user', source: 'static' });

function record(id: string, owner: string, adminGroups: string[] = [], state: ReleaseRecord['state'] = 'deployed'): ReleaseRecord {
  return {
    id, owner, adminGroups, state, application: 'sample/hello', version: '1.0.0', namespace: 'default',
    development: false, values: {}, createdAt: '', updatedAt: '',
  };
}

describe('ChangeAdmission', () => {
  test("refuses a user's change beyond the limit with ResourceExhausted and a Retry-After, not another user's", async () => {
    const admission = new ChangeAdmission({ maxInFlightPerUser: 2, retryAfterSeconds: () => 3 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const running = [1, 2].map(() => admission.admit(user('carol'), { action: 'install' }, () => held));
    await expect(admission.admit(user('carol'), { action: 'delete' }, async () => 'no')).rejects.toMatchObject({
      code: 'ResourceExhausted',
      details: { retryAfterSeconds: 3 },
      message: expect.stringMatching(/carol already has 2 changes in flight/),
    });
    await expect(admission.admit(user('bob'), { action: 'install' }, async () => 'yes')).resolves.toBe('yes');
    release();
    await Promise.all(running);
    // Finished changes free their slots, failed ones too.
    await expect(admission.admit(user('carol'), { action: 'upgrade' }, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(admission.inFlightOf('carol')).toBe(0);
  });

  test('runs the change as its user, which the fair engine reads', async () => {
    const admission = new ChangeAdmission({ maxInFlightPerUser: 0, retryAfterSeconds: () => 1 });
    expect(await admission.admit(user('alice'), { action: 'rollback' }, async () => currentChangeOwner())).toBe('alice');
    expect(currentChangeOwner()).toBeUndefined();
  });

  test('checks the quotas of an install only', async () => {
    const store = { summaries: async () => [record('a', 'alice'), record('b', 'alice')] };
    const admission = new ChangeAdmission({
      maxInFlightPerUser: 2,
      quotas: new ReleaseQuotas(store, { releasesPerUser: 2, releasesPerGroup: 0 }),
      retryAfterSeconds: () => 1,
    });
    await expect(admission.admit(user('alice'), { action: 'install' }, async () => 'made')).rejects.toMatchObject({ code: 'PermissionDenied' });
    await expect(admission.admit(user('alice'), { action: 'upgrade' }, async () => 'upgraded')).resolves.toBe('upgraded');
  });
});

describe('ReleaseQuotas', () => {
  const records = [
    record('a', 'alice', ['g1']),
    record('b', 'alice', ['g1', 'g2']),
    record('c', 'bob', ['g1']),
    record('d', 'alice', ['g1'], 'deleting'),
  ];
  const quotas = (releasesPerUser: number, releasesPerGroup: number) =>
    new ReleaseQuotas({ summaries: async () => records }, { releasesPerUser, releasesPerGroup });

  test("counts the caller's releases and each of their groups', releases being deleted excepted", async () => {
    expect(await quotas(5, 7).usage(user('alice', ['g1', 'g3']))).toEqual({
      releases: { used: 2, limit: 5 },
      groups: [
        { group: 'g1', used: 3, limit: 7 },
        { group: 'g3', used: 0, limit: 7 },
      ],
    });
  });

  test('refuses the per-user quota, naming it, its limit and its usage', async () => {
    const err = await quotas(2, 0).assertMayInstall(user('alice'), []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppStoreError);
    expect(err).toMatchObject({ code: 'PermissionDenied', details: { quota: { name: 'releases-per-user', limit: 2, used: 2 } } });
    await expect(quotas(3, 0).assertMayInstall(user('alice'), [])).resolves.toBeUndefined();
  });

  test('refuses a group named by as many releases as its quota, whoever owns them', async () => {
    await expect(quotas(0, 3).assertMayInstall(user('carol'), ['g2', 'g1'])).rejects.toMatchObject({
      details: { quota: { name: 'releases-per-group', group: 'g1', limit: 3, used: 3 } },
      message: expect.stringMatching(/3 releases name group g1/),
    });
    await expect(quotas(0, 3).assertMayInstall(user('carol'), ['g2'])).resolves.toBeUndefined();
    // 0 is unlimited.
    await expect(quotas(0, 0).assertMayInstall(user('alice'), ['g1'])).resolves.toBeUndefined();
  });
});
