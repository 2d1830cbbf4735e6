/**
 * Server reflection from protoc's own descriptors (generated into gen/ by
 * `make gen`), not from @grpc/proto-loader's: proto-loader's per-package
 * descriptors lose imports and fully qualified type names, which breaks
 * grpcurl's describe and calls (grpc/grpc-node#3034).
 */
import type { PackageDefinition } from '@grpc/proto-loader';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** Splits a FileDescriptorSet (field 1: repeated FileDescriptorProto) into its files' bytes. */
export function fileDescriptors(setBase64: string): Buffer[] {
  const reader = new BinaryReader(Buffer.from(setBase64, 'base64'));
  const files: Buffer[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) files.push(Buffer.from(reader.bytes()));
    else reader.skip(wireType);
  }
  return files;
}

/** The shape @grpc/reflection reads: any entry carrying fileDescriptorProtos. */
export function reflectionPackage(setBase64: string): PackageDefinition {
  return { 'appstore.descriptors': { format: 'Protocol Buffer 3 FileDescriptorProto', fileDescriptorProtos: fileDescriptors(setBase64) } } as unknown as PackageDefinition;
}
