#!/usr/bin/env node
// Regenerates gen/ from proto/ with protoc (npm "protoc") and ts-proto.
// gen/ is committed; CI runs this and fails when the result differs.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, mkdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const protoDir = join(root, 'proto');
const outDir = join(root, 'gen');
const protocInclude = join(require.resolve('protoc/package.json'), '..', 'include');
const plugin = join(root, 'node_modules', '.bin', 'protoc-gen-ts_proto');

function protoFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return protoFiles(path);
    return name.endsWith('.proto') ? [relative(protoDir, path)] : [];
  });
}

const options = [
  'outputServices=grpc-js',
  'esModuleInterop=true',
  'env=node',
  'importSuffix=.js',
  // int64 fields in these protocols hold counts and timeouts: numbers suffice.
  'forceLong=number',
  'useDate=true',
  'useOptionals=messages',
].join(',');

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const files = protoFiles(protoDir).sort();
const result = spawnSync(
  process.execPath,
  [
    require.resolve('protoc/protoc.cjs'),
    `--plugin=protoc-gen-ts_proto=${plugin}`,
    `--ts_proto_out=${outDir}`,
    `--ts_proto_opt=${options}`,
    `-I${protoDir}`,
    `-I${protocInclude}`,
    ...files,
  ],
  { stdio: 'inherit' },
);
if (result.status !== 0) process.exit(result.status ?? 1);
console.log(`gen/: ${files.length} proto files generated`);
