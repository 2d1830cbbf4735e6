import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { parseStaticTokens, type StaticTokenEntry } from '../../../src/identity/static-token-file.js';
import { WatchedFile } from '../../../src/identity/watched-file.js';

function logCapture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

function tokensFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'watched-file-')), 'tokens.csv');
  writeFileSync(path, text);
  return path;
}

function watchTokens(path: string) {
  const { lines, logger } = logCapture();
  const changes: StaticTokenEntry[][] = [];
  const file = new WatchedFile({
    path,
    variable: 'APPSTORE_TOKENS_FILE',
    parse: (text) => parseStaticTokens(text),
    onChange: (entries) => changes.push(entries),
    logger,
  });
  return { file, changes, lines };
}

test('a changed file is parsed and handed on; an unchanged one is not', () => {
  const path = tokensFile('secret-a,alice\nsecret-b,bob\n');
  const { file, changes } = watchTokens(path);
  expect(file.content.map((e) => e.userId)).toEqual(['alice', 'bob']);
  expect(file.reload()).toBe('unchanged');
  writeFileSync(path, 'secret-a,alice\n');
  expect(file.reload()).toBe('changed');
  expect(file.content.map((e) => e.userId)).toEqual(['alice']);
  expect(changes.map((entries) => entries.map((e) => e.userId))).toEqual([['alice']]);
  expect(file.status()).toEqual({ variable: 'APPSTORE_TOKENS_FILE', reloads: 1, failures: 0, failing: false });
});

test('an invalid file keeps the last good content, logs the line once (never the token) and counts it', () => {
  const path = tokensFile('secret-a,alice\n');
  const { file, changes, lines } = watchTokens(path);
  writeFileSync(path, 'secret-a,alice\ntop-secret-b\n');
  expect(file.reload()).toBe('failed');
  expect(file.reload()).toBe('failed');
  expect(file.content.map((e) => e.userId)).toEqual(['alice']);
  expect(changes).toEqual([]);
  const errors = lines.filter((l) => l.level === 50);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ variable: 'APPSTORE_TOKENS_FILE', err: expect.stringMatching(/^APPSTORE_TOKENS_FILE line 2: /) });
  expect(JSON.stringify(lines)).not.toContain('top-secret-b');
  expect(file.status()).toMatchObject({ failures: 1, failing: true });

  writeFileSync(path, 'secret-a,alice\nsecret-c,carol\n');
  expect(file.reload()).toBe('changed');
  expect(file.status()).toMatchObject({ reloads: 1, failures: 1, failing: false });
});

test('a file that disappears keeps the last good content and is reported once', () => {
  const path = tokensFile('secret-a,alice\n');
  const { file, lines } = watchTokens(path);
  renameSync(path, `${path}.gone`);
  expect(file.reload()).toBe('failed');
  expect(file.reload()).toBe('failed');
  expect(file.content.map((e) => e.userId)).toEqual(['alice']);
  expect(lines.filter((l) => l.level === 50).map((l) => l.err)).toEqual([expect.stringMatching(/cannot read/)]);
});

test('a Kubernetes volume update (the ..data symlink swapped to a new folder) is seen', () => {
  // What the kubelet does for a mounted Secret: tokens.csv → ..data/tokens.csv, ..data → a timestamped folder.
  const mount = mkdtempSync(join(tmpdir(), 'secret-volume-'));
  mkdirSync(join(mount, '..2026_01_01_v1'));
  writeFileSync(join(mount, '..2026_01_01_v1', 'tokens.csv'), 'secret-a,alice\nsecret-b,bob\n');
  symlinkSync('..2026_01_01_v1', join(mount, '..data'));
  symlinkSync(join('..data', 'tokens.csv'), join(mount, 'tokens.csv'));
  const { file } = watchTokens(join(mount, 'tokens.csv'));
  expect(file.content).toHaveLength(2);

  mkdirSync(join(mount, '..2026_01_01_v2'));
  writeFileSync(join(mount, '..2026_01_01_v2', 'tokens.csv'), 'secret-b,bob\n');
  symlinkSync('..2026_01_01_v2', join(mount, '..data_tmp'));
  renameSync(join(mount, '..data_tmp'), join(mount, '..data'));
  expect(file.reload()).toBe('changed');
  expect(file.content.map((e) => e.userId)).toEqual(['bob']);
});

test('polling picks a change up by itself, and stop() ends it', async () => {
  const path = tokensFile('secret-a,alice\n');
  const { file, changes } = watchTokens(path);
  file.poll(20);
  writeFileSync(path, 'secret-b,bob\n');
  for (let i = 0; i < 100 && changes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(changes.map((entries) => entries.map((e) => e.userId))).toEqual([['bob']]);
  file.stop();
  writeFileSync(path, 'secret-c,carol\n');
  await new Promise((r) => setTimeout(r, 80));
  expect(changes).toHaveLength(1);
});

test('the first read fails loudly: the store does not start on a bad file', () => {
  expect(() => watchTokens(tokensFile('only-a-token\n'))).toThrow(/^APPSTORE_TOKENS_FILE line 1/);
  expect(() => watchTokens('/nonexistent/tokens.csv')).toThrow(/^APPSTORE_TOKENS_FILE: cannot read/);
});
