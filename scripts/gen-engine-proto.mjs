#!/usr/bin/env node
// Regenerates engine/gen/ (Go) from proto/hapi with protoc (npm "protoc"),
// protoc-gen-go and protoc-gen-go-grpc at pinned versions (`go install`ed into
// a cache folder). engine/gen/ is committed; `make check-gen` fails when the
// result differs. The hapi protos carry no go_package of their own, so each
// file's Go import path is given with --go_opt=M.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';

const PROTOC_GEN_GO = 'google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12';
const PROTOC_GEN_GO_GRPC = 'google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2';
const MODULE = 'appstore.local/engine/gen';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const protoDir = join(root, 'proto');
const outDir = join(root, 'engine', 'gen');
const protocInclude = join(require.resolve('protoc/package.json'), '..', 'include');
const binDir = join(process.env.APPSTORE_PEERS_CACHE ?? join(homedir(), '.cache', 'appstore', 'peers'), 'protoc-gen-go-v1.36.12-grpc-v1.6.2');

function run(cmd, args, opts = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function protoFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return protoFiles(path);
    return name.endsWith('.proto') ? [relative(protoDir, path)] : [];
  });
}

if (!existsSync(join(binDir, 'protoc-gen-go')) || !existsSync(join(binDir, 'protoc-gen-go-grpc'))) {
  mkdirSync(binDir, { recursive: true });
  for (const tool of [PROTOC_GEN_GO, PROTOC_GEN_GO_GRPC]) {
    run('go', ['install', tool], { env: { ...process.env, GOBIN: binDir, CGO_ENABLED: '0' } });
  }
}

const files = protoFiles(join(protoDir, 'hapi')).map((f) => f.replaceAll('\\', '/')).sort();
const mappings = files.map((f) => `M${f}=${MODULE}/${dirname(f)}`);
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
run(process.execPath, [
  require.resolve('protoc/protoc.cjs'),
  `--plugin=protoc-gen-go=${join(binDir, 'protoc-gen-go')}`,
  `--plugin=protoc-gen-go-grpc=${join(binDir, 'protoc-gen-go-grpc')}`,
  `--go_out=${outDir}`,
  '--go_opt=paths=source_relative',
  ...mappings.map((m) => `--go_opt=${m}`),
  `--go-grpc_out=${outDir}`,
  '--go-grpc_opt=paths=source_relative',
  ...mappings.map((m) => `--go-grpc_opt=${m}`),
  `-I${protoDir}`,
  `-I${protocInclude}`,
  ...files,
]);
console.log(`engine/gen/: ${files.length} hapi proto files generated (Go)`);
