import { AppStoreError } from '../../../src/domain/errors.js';
import { checkValuesShape, checkValuesSize, MAX_VALUES_DEPTH } from '../../../src/releases/values-checks.js';

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 'x' };
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

function failure(fn: () => void): AppStoreError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppStoreError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

test('values nested up to the limit pass', () => {
  expect(() => checkValuesShape(nested(MAX_VALUES_DEPTH))).not.toThrow();
});

test('values nested thousands of levels deep are refused without overflowing the stack, naming the path', () => {
  const err = failure(() => checkValuesShape(nested(100_000)));
  expect(err.code).toBe('InvalidArgument');
  expect(err.message).toMatch(/^values(\.a){32} is nested deeper than 32 levels$/);
  expect(err.details.fields).toEqual([{ path: `values${'.a'.repeat(32)}`, message: 'is nested deeper than 32 levels' }]);
});

test('arrays count as levels too', () => {
  let list: unknown = 'x';
  for (let i = 0; i < 40; i++) list = [list];
  expect(failure(() => checkValuesShape({ list })).message).toMatch(/^values\.list(\.0)+ is nested deeper/);
});

test.each([
  [{ service: { type: 'Cluster\uD800IP' } }, 'values.service.type', /lone UTF-16 surrogate/],
  [{ items: ['ok', '\uDC00'] }, 'values.items.1', /lone UTF-16 surrogate/],
  [{ ['k\uDBFF']: 1 }, 'values."k\\udbff"', /is a key that is not valid Unicode/],
  [{ n: Number.NaN }, 'values.n', /not a finite number/],
])('bad text or numbers are refused with their path: %j', (values, path, message) => {
  const err = failure(() => checkValuesShape(values));
  expect(err.code).toBe('InvalidArgument');
  expect(err.details.fields?.[0]?.path).toBe(path);
  expect(err.message).toMatch(message);
});

test('surrogate pairs (emoji) are fine', () => {
  expect(() => checkValuesShape({ greeting: 'hei 👋', ['🔑']: true, n: 1.5, nothing: null })).not.toThrow();
});

test('values above the cap are Unprocessable, naming the limit and the size', () => {
  const err = failure(() => checkValuesSize({ blob: 'x'.repeat(2000) }, 1024, 'merged values'));
  expect(err.code).toBe('Unprocessable');
  expect(err.message).toBe('merged values take 2011 bytes as JSON; the limit is 1024 bytes');
  expect(err.details).toMatchObject({ limit: 1024, size: 2011, parameter: 'values' });
  expect(() => checkValuesSize({ blob: 'x'.repeat(1000) }, 1024)).not.toThrow();
});
