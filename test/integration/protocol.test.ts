/**
 * proto/hapi must describe exactly the protocol Tiller v2.17.0 is compiled
 * with. The hapi-descriptors peer (built in Tiller's Go module) summarises the
 * descriptors registered inside Helm's generated Go code, and the same tool
 * summarises what protoc compiles from proto/hapi: every message, field (name,
 * number, type, label, type name), enum value and service method must agree.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../harness/paths.js';
import { readTestEnv } from '../harness/test-env.js';

interface Protocol {
  messages: Record<string, unknown[]>;
  enums: Record<string, Record<string, number>>;
  methods: Record<string, unknown>;
}

const env = readTestEnv();
const summarise = (...args: string[]) =>
  JSON.parse(execFileSync(env.cluster.peers['hapi-descriptors'] ?? 'hapi-descriptors', args, { encoding: 'utf8' })) as Protocol;

function compileOurs(): Protocol {
  const require = createRequire(join(repoRoot, 'package.json'));
  const protoDir = join(repoRoot, 'proto');
  const files = ['chart', 'release', 'services', 'version'].flatMap((dir) =>
    readdirSync(join(protoDir, 'hapi', dir))
      .filter((f) => f.endsWith('.proto'))
      .map((f) => `hapi/${dir}/${f}`),
  );
  const out = mkdtempSync(join(tmpdir(), 'hapi-'));
  try {
    execFileSync(process.execPath, [
      require.resolve('protoc/protoc.cjs'),
      `--descriptor_set_out=${join(out, 'hapi.pb')}`,
      `-I${protoDir}`,
      `-I${join(require.resolve('protoc/package.json'), '..', 'include')}`,
      ...files,
    ]);
    return summarise('-set', join(out, 'hapi.pb'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const tiller = summarise();
const ours = compileOurs();

test('the reference is Tiller\'s whole hapi protocol', () => {
  expect(Object.keys(tiller.methods).sort()).toEqual(
    [
      'GetHistory',
      'GetReleaseContent',
      'GetReleaseStatus',
      'GetVersion',
      'InstallRelease',
      'ListReleases',
      'RollbackRelease',
      'RunReleaseTest',
      'UninstallRelease',
      'UpdateRelease',
    ].map((m) => `hapi.services.tiller.ReleaseService/${m}`),
  );
  expect(Object.keys(tiller.messages).length).toBeGreaterThan(30);
});

test('proto/hapi has the same messages, enums and methods as Tiller', () => {
  expect(Object.keys(ours.messages).sort()).toEqual(Object.keys(tiller.messages).sort());
  expect(Object.keys(ours.enums).sort()).toEqual(Object.keys(tiller.enums).sort());
  expect(ours.methods).toEqual(tiller.methods);
});

test.each(Object.keys(tiller.messages).sort())('message %s has Tiller\'s fields', (name) => {
  expect(ours.messages[name]).toEqual(tiller.messages[name]);
});

test.each(Object.keys(tiller.enums).sort())('enum %s has Tiller\'s values', (name) => {
  expect(ours.enums[name]).toEqual(tiller.enums[name]);
});
