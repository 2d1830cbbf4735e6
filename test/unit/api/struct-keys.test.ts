import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { InstallReleaseRequest } from '../../../gen/appstore/v1/appstore.js';
import { unsafeStructKey } from '../../../src/api/grpc/struct-keys.js';

/** Struct and Value written by hand: the generated encoder itself would lose a __proto__ key. */
type Json = null | string | number | boolean | Json[] | { [key: string]: Json };
function value(v: Json): Uint8Array {
  const w = new BinaryWriter();
  if (v === null) w.uint32(8).int32(0);
  else if (typeof v === 'number') w.uint32(17).double(v);
  else if (typeof v === 'string') w.uint32(26).string(v);
  else if (typeof v === 'boolean') w.uint32(32).bool(v);
  else if (Array.isArray(v)) {
    const list = new BinaryWriter();
    for (const item of v) list.uint32(10).bytes(value(item));
    w.uint32(50).bytes(list.finish());
  } else w.uint32(42).bytes(struct(v));
  return w.finish();
}
function struct(entries: Record<string, Json> | Array<[string, Json]>): Uint8Array {
  const w = new BinaryWriter();
  for (const [key, v] of Array.isArray(entries) ? entries : Object.entries(entries)) {
    w.uint32(10).bytes(new BinaryWriter().uint32(10).string(key).uint32(18).bytes(value(v)).finish());
  }
  return w.finish();
}
const install = (values: Array<[string, Json]>) =>
  Buffer.from(new BinaryWriter().uint32(10).string('sample/hello').uint32(26).string('apps').uint32(50).bytes(struct(values)).uint32(56).bool(true).finish());

test('a __proto__ key is found with its path; values without one pass', () => {
  expect(unsafeStructKey(install([['__proto__', { polluted: true }]]), 6)).toBe('values.__proto__');
  expect(unsafeStructKey(install([['a', 1], ['b', { c: [{ d: 1 }, { ok: 'x' }] }]]), 6)).toBeUndefined();
  const nested = install([['a', 1], ['b', [{ ok: 1 }, { c: 1 }]]]);
  expect(unsafeStructKey(nested, 6)).toBeUndefined();
  const deep = new BinaryWriter().uint32(50).bytes(struct([['b', [{ ok: 1 }, { c: 'x' }]], ['e', { f: 1 }]])).finish();
  expect(unsafeStructKey(deep, 6)).toBeUndefined();
});

test('__proto__ as a string value, or in another field, is not a key of the values', () => {
  expect(unsafeStructKey(install([['name', '__proto__']]), 6)).toBeUndefined();
  const elsewhere = Buffer.from(new BinaryWriter().uint32(10).string('__proto__').finish());
  expect(unsafeStructKey(elsewhere, 6)).toBeUndefined();
  // The generated decoder reads the same bytes: the walk agrees with it on everything but that key.
  expect(InstallReleaseRequest.decode(install([['name', '__proto__']])).values).toEqual({ name: '__proto__' });
});

test('nested under a list inside a table', () => {
  const bytes = Buffer.from(new BinaryWriter().uint32(50).bytes(struct([['a', { list: [1, { x: 1 }] }]])).finish());
  expect(unsafeStructKey(bytes, 6)).toBeUndefined();
  const hidden = new BinaryWriter();
  const inner = struct([['__proto__', 1]]);
  const item = new BinaryWriter().uint32(42).bytes(inner).finish();
  const list = new BinaryWriter().uint32(10).bytes(item).finish();
  const listValue = new BinaryWriter().uint32(50).bytes(list).finish();
  const entry = new BinaryWriter().uint32(10).string('items').uint32(18).bytes(listValue).finish();
  hidden.uint32(50).bytes(new BinaryWriter().uint32(10).bytes(entry).finish());
  expect(unsafeStructKey(Buffer.from(hidden.finish()), 6)).toBe('values.items[0].__proto__');
});
