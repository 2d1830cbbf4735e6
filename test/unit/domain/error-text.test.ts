import { boundedFields, boundedText } from '../../../src/domain/error-text.js';
import { requestIdFrom } from '../../../src/api/request-id.js';

test('short texts are kept; long ones are cut, saying how much was cut', () => {
  expect(boundedText('short')).toBe('short');
  const cut = boundedText('x'.repeat(100_000));
  expect(cut).toBe(`${'x'.repeat(1024)}… (98976 more characters)`);
});

test('a cut never ends on half a surrogate pair', () => {
  const text = `${'x'.repeat(9)}👋${'y'.repeat(10)}`;
  expect(boundedText(text, 10)).toBe(`${'x'.repeat(9)}… (12 more characters)`);
});

test('field lists are bounded in number and length', () => {
  const fields = Array.from({ length: 500 }, (_, i) => ({ path: `items.${i}`, message: 'm'.repeat(5000) }));
  const bounded = boundedFields(fields);
  expect(bounded).toHaveLength(20);
  expect(bounded[0]?.message.length).toBeLessThan(300);
});

test('a request id is kept when it is plain, and replaced otherwise', () => {
  expect(requestIdFrom('abc-123.X_y')).toBe('abc-123.X_y');
  for (const forged of ['forged id\n{"audit":true}', 'x'.repeat(129), '', undefined]) {
    expect(requestIdFrom(forged)).toMatch(/^[0-9a-f-]{36}$/);
  }
});
