/** When a release Lease counts as held, and who holds it. */
import { holderIdentity, isHeld, leaseName } from '../../../src/kube/lease-locks.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const lease = (spec: Record<string, unknown>) => ({ spec });

test('a Lease is held until renewTime + leaseDurationSeconds', () => {
  const renewTime = new Date(now - 29_000);
  expect(isHeld(lease({ holderIdentity: 'a', leaseDurationSeconds: 30, renewTime }), now)).toBe(true);
  expect(isHeld(lease({ holderIdentity: 'a', leaseDurationSeconds: 30, renewTime }), now + 1_000)).toBe(false);
});

test('without a holder, a duration or any time, a Lease is free', () => {
  expect(isHeld(lease({ leaseDurationSeconds: 30, renewTime: new Date(now) }), now)).toBe(false);
  expect(isHeld(lease({ holderIdentity: '', leaseDurationSeconds: 30, renewTime: new Date(now) }), now)).toBe(false);
  expect(isHeld(lease({ holderIdentity: 'a', renewTime: new Date(now) }), now)).toBe(false);
  expect(isHeld(lease({ holderIdentity: 'a', leaseDurationSeconds: 30 }), now)).toBe(false);
});

test('acquireTime stands in for a missing renewTime; times may come as strings', () => {
  expect(isHeld(lease({ holderIdentity: 'a', leaseDurationSeconds: 30, acquireTime: new Date(now - 10_000) }), now)).toBe(true);
  expect(isHeld(lease({ holderIdentity: 'a', leaseDurationSeconds: 30, renewTime: '2026-01-01T11:59:50.000000Z' }) as never, now)).toBe(true);
});

test('holder identities name the pod and differ between processes of one pod', () => {
  const one = holderIdentity({ POD_NAME: 'appstore-7d9f-abcde' });
  const two = holderIdentity({ POD_NAME: 'appstore-7d9f-abcde' });
  expect(one).toMatch(/^appstore-7d9f-abcde-[0-9a-f]{8}$/);
  expect(one).not.toBe(two);
  expect(holderIdentity({})).toMatch(/-[0-9a-f]{8}$/);
});

test('one Lease per release, named after it', () => {
  expect(leaseName('wise-silver-ibis')).toBe('appstore-release-wise-silver-ibis');
});
