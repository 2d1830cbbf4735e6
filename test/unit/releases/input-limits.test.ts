import { AppStoreError } from '../../../src/domain/errors.js';
import { InputLimits, type InstallFields } from '../../../src/releases/input-limits.js';
import type { ReleaseRecord } from '../../../src/releases/types.js';

/** Measures as the Secret store does: the JSON of the record, against a fixed limit. */
const measured: ReleaseRecord[] = [];
const store = {
  measure: (record: ReleaseRecord) => {
    measured.push(record);
    return { bytes: Buffer.byteLength(JSON.stringify(record)), limit: 4096 };
  },
};
const limits = new InputLimits(store, 2048);

const install = (overrides: Partial<InstallFields>): InstallFields => ({
  application: 'sample/hello',
  version: '1.0.0',
  namespace: 'team-a',
  adminGroups: ['fc:org:example.org'],
  values: {},
  ...overrides,
});

function failure(fn: () => void): AppStoreError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppStoreError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

test('a plain install passes', () => {
  expect(() => limits.checkInstall(install({}))).not.toThrow();
});

test.each([
  [{ namespace: 'n'.repeat(3_000_000) }, 'namespace'],
  [{ namespace: 'Team_A' }, 'namespace'],
  [{ application: 'a'.repeat(201) }, 'application'],
  [{ application: '  ' }, 'application'],
  [{ version: '1'.repeat(101) }, 'version'],
  [{ adminGroups: Array.from({ length: 101 }, (_, i) => `g${i}`) }, 'adminGroups'],
  [{ adminGroups: ['g'.repeat(257)] }, 'adminGroups[0]'],
  [{ adminGroups: [''] }, 'adminGroups'],
  [{ adminGroups: ['a', 'a'] }, 'adminGroups'],
  [{ application: 'sample/\uD800' }, 'application'],
])('what REST refuses, the service refuses too, with a short message: %#', (overrides, parameter) => {
  const err = failure(() => limits.checkInstall(install(overrides)));
  expect(err.code).toBe('InvalidArgument');
  expect(err.details.parameter).toBe(parameter);
  expect(err.message.length).toBeLessThan(200);
});

test('install values above the cap are Unprocessable before anything is resolved', () => {
  const err = failure(() => limits.checkInstall(install({ values: { blob: 'x'.repeat(3000) } })));
  expect(err.code).toBe('Unprocessable');
  expect(err.details).toMatchObject({ limit: 2048, size: 3011 });
});

const record = (values: Record<string, unknown>, adminGroups: string[] = []): ReleaseRecord => ({
  id: '',
  owner: 'alice',
  application: 'sample/hello',
  version: '1.0.0',
  namespace: 'team-a',
  adminGroups,
  development: false,
  values,
  state: 'pending',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

test('a record is measured with the longest id and state it can have', () => {
  limits.checkRecord(record({}));
  expect(measured.at(-1)).toMatchObject({ id: 'x'.repeat(53), state: 'deployed' });
});

test('a record that would not fit its store is Unprocessable, naming both sizes', () => {
  // Values under the cap, but with many admin groups the record outgrows the store's 4096 bytes.
  const groups = Array.from({ length: 20 }, (_, i) => `fc:adhoc:${'g'.repeat(200)}${i}`);
  const err = failure(() => limits.checkRecord(record({ blob: 'x'.repeat(1000) }, groups)));
  expect(err.code).toBe('Unprocessable');
  expect(err.message).toMatch(/^the release record would take \d+ bytes; a record holds at most 4096 bytes$/);
  expect(err.details.limit).toBe(4096);
});

test('merged values above the cap are named as such', () => {
  const err = failure(() => limits.checkRecord(record({ a: 'x'.repeat(1500), b: 'y'.repeat(1500) }), 'merged values'));
  expect(err.message).toMatch(/^merged values take \d+ bytes as JSON; the limit is 2048 bytes$/);
});
