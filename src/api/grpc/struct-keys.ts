/**
 * The generated Struct decoder (ts-proto) assigns each key with `fields[key] =`,
 * so a key named `__proto__` would set the prototype of the object it decodes
 * into and vanish without a word. REST keeps such a key as data; over gRPC the
 * request is refused instead (422, INVALID_ARGUMENT with code Unprocessable),
 * naming the key's path, before the generated decoder sees it. This reads the
 * request's bytes along the Struct's own layout (google/protobuf/struct.proto).
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

const UNSAFE_KEY = '__proto__';

/** The path (`values.a.__proto__`) of the first `__proto__` key in the Struct at `structField` of the message, if any. */
export function unsafeStructKey(bytes: Uint8Array, structField: number, root = 'values'): string | undefined {
  // Most requests do not hold the text at all: nothing to walk.
  if (!Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(UNSAFE_KEY)) return undefined;
  return walk(bytes, (field, reader) => {
    const inner = reader.bytes();
    return field === structField ? inStruct(inner, root) : undefined;
  });
}

/** Each field of a message: `visit` reads a length-delimited one it wants, everything else is skipped. */
function walk(bytes: Uint8Array, visit: (field: number, reader: BinaryReader) => string | undefined): string | undefined {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (wireType !== WireType.LengthDelimited) {
      reader.skip(wireType, field);
      continue;
    }
    const found = visit(field, reader);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Struct: repeated FieldsEntry fields = 1 { string key = 1; Value value = 2; }. */
function inStruct(bytes: Uint8Array, path: string): string | undefined {
  return walk(bytes, (field, reader) => {
    const entry = reader.bytes();
    if (field !== 1) return undefined;
    let key = '';
    let value: Uint8Array | undefined;
    walk(entry, (entryField, entryReader) => {
      if (entryField === 1) key = entryReader.string();
      else if (entryField === 2) value = entryReader.bytes();
      else entryReader.skip(WireType.LengthDelimited);
      return undefined;
    });
    if (key === UNSAFE_KEY) return `${path}.${key}`;
    return value === undefined ? undefined : inValue(value, `${path}.${key}`);
  });
}

/** Value: struct_value = 5, list_value = 6 (ListValue: repeated Value values = 1); scalars hold no keys. */
function inValue(bytes: Uint8Array, path: string): string | undefined {
  return walk(bytes, (field, reader) => {
    const inner = reader.bytes();
    if (field === 5) return inStruct(inner, path);
    if (field !== 6) return undefined;
    let index = 0;
    return walk(inner, (listField, listReader) => {
      const item = listReader.bytes();
      return listField === 1 ? inValue(item, `${path}[${index++}]`) : undefined;
    });
  });
}
