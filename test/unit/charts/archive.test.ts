import { gzipSync } from 'node:zlib';
import { readChartArchive } from '../../../src/charts/archive.js';
import { AppStoreError } from '../../../src/domain/errors.js';
import { gzipZeros, makeArchive, makeTgz, makeZeroBomb, type RawEntry } from './make-archive.js';

const MiB = 1024 * 1024;

async function rejection(promise: Promise<unknown>): Promise<AppStoreError> {
  const err: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppStoreError);
  expect((err as AppStoreError).code).toBe('InvalidArgument');
  return err as AppStoreError;
}

const chartYaml = 'apiVersion: v1\nname: mychart\nversion: 1.0.0\n';

describe('reading a chart archive', () => {
  test('strips the top-level directory and keeps every file with its content', async () => {
    const archive = await makeArchive(
      { 'Chart.yaml': chartYaml, 'templates/cm.yaml': 'kind: ConfigMap', 'empty.txt': '', 'charts/sub/values.yaml': 'a: 1' },
      { withDirEntry: true, extra: [{ name: 'mychart/templates/', type: 'directory' }] },
    );
    const files = await readChartArchive(archive);
    expect(files.map((f) => [f.path, f.data.toString()])).toEqual([
      ['Chart.yaml', chartYaml],
      ['templates/cm.yaml', 'kind: ConfigMap'],
      ['empty.txt', ''],
      ['charts/sub/values.yaml', 'a: 1'],
    ]);
  });

  test('accepts a leading ./ and a ./ directory entry, as tar -C dir . produces', async () => {
    const archive = await makeTgz([
      { name: './', type: 'directory' },
      { name: './mychart/Chart.yaml', content: chartYaml },
    ]);
    const files = await readChartArchive(archive);
    expect(files.map((f) => f.path)).toEqual(['Chart.yaml']);
  });

  test('an archive without files is refused', async () => {
    const err = await rejection(readChartArchive(await makeTgz([{ name: 'mychart/', type: 'directory' }])));
    expect(err.message).toMatch(/contains no files/);
  });
});

describe('hostile archive entries are refused, naming the entry', () => {
  const cases: Array<[string, RawEntry, RegExp]> = [
    ['an absolute path', { name: '/etc/passwd', content: 'x' }, /entry '\/etc\/passwd' has an absolute path/],
    ['a Windows drive path', { name: 'C:/evil', content: 'x' }, /entry 'C:\/evil' has an absolute path/],
    ['a .. segment', { name: 'mychart/../../evil', content: 'x' }, /entry 'mychart\/..\/..\/evil' references a parent directory/],
    ['a backslash', { name: 'mychart\\templates\\x.yaml', content: 'x' }, /entry 'mychart\\templates\\x.yaml' contains a backslash/],
    [
      'a symlink',
      { name: 'mychart/templates/link.yaml', type: 'symlink', linkname: '/etc/passwd' },
      /entry 'mychart\/templates\/link.yaml' is a symbolic link \(to '\/etc\/passwd'\)/,
    ],
    [
      'a hard link',
      { name: 'mychart/values2.yaml', type: 'link', linkname: 'mychart/Chart.yaml' },
      /entry 'mychart\/values2.yaml' is a hard link \(to 'mychart\/Chart.yaml'\)/,
    ],
    ['a fifo', { name: 'mychart/pipe', type: 'fifo' }, /entry 'mychart\/pipe' has unsupported type 'fifo'/],
    ['a character device', { name: 'mychart/tty', type: 'character-device' }, /entry 'mychart\/tty' has unsupported type/],
    ['a duplicate entry', { name: 'mychart/Chart.yaml', content: 'name: evil' }, /duplicate entry 'mychart\/Chart.yaml'/],
    ['a duplicate written differently', { name: 'mychart/./Chart.yaml', content: 'x' }, /duplicate entry 'mychart\/.\/Chart.yaml'/],
    ['a second top-level directory', { name: 'other/Chart.yaml', content: 'x' }, /entry 'other\/Chart.yaml' is outside the top-level directory 'mychart'/],
    ['a file at the top level', { name: 'Chart.yaml', content: 'x' }, /entry 'Chart.yaml' is not inside the chart's top-level directory/],
  ];

  test.each(cases)('%s', async (_what, entry, message) => {
    const archive = await makeArchive({ 'Chart.yaml': chartYaml }, { extra: [entry] });
    const err = await rejection(readChartArchive(archive));
    expect(err.message).toMatch(message);
  });
});

describe('size and count limits', () => {
  test('more entries than maxFiles is refused at the first entry over', async () => {
    const files = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}.txt`, 'x']));
    const archive = await makeArchive(files);
    await expect(readChartArchive(archive, { maxFiles: 6 })).resolves.toHaveLength(6);
    const err = await rejection(readChartArchive(archive, { maxFiles: 5 }));
    expect(err.message).toMatch(/more than 5 entries \(limit maxFiles\), at entry 'mychart\/f5.txt'/);
    expect(err.details.limit).toBe('maxFiles');
  });

  test('a file bigger than maxFileBytes is refused', async () => {
    const archive = await makeArchive({ 'Chart.yaml': chartYaml, 'big.bin': Buffer.alloc(2000, 1) });
    await expect(readChartArchive(archive, { maxFileBytes: 2000 })).resolves.toHaveLength(2);
    const err = await rejection(readChartArchive(archive, { maxFileBytes: 1999 }));
    expect(err.message).toMatch(/entry 'mychart\/big.bin' is larger than 1999 bytes uncompressed \(limit maxFileBytes\)/);
  });

  test('more content than maxTotalBytes is refused', async () => {
    const archive = await makeArchive({ 'a.bin': Buffer.alloc(600, 1), 'b.bin': Buffer.alloc(600, 2) });
    await expect(readChartArchive(archive, { maxTotalBytes: 1200 })).resolves.toHaveLength(2);
    const err = await rejection(readChartArchive(archive, { maxTotalBytes: 1000 }));
    expect(err.message).toMatch(/larger than 1000 bytes uncompressed \(limit maxTotalBytes\), at entry 'mychart\/b.bin'/);
  });

  describe('gzip bombs (200 MiB of zeros, ~200 KiB compressed)', () => {
    let manyFiles: Buffer;
    let oneFile: Buffer;
    let noTar: Buffer;

    beforeAll(async () => {
      manyFiles = await makeZeroBomb(20, 10 * MiB);
      oneFile = await makeZeroBomb(1, 200 * MiB);
      noTar = await gzipZeros(200 * MiB);
    }, 60_000);

    /** Loads while sampling external memory; returns the error and the peak growth. */
    async function loadSampling(archive: Buffer): Promise<{ err: AppStoreError; peakGrowth: number }> {
      const base = process.memoryUsage().arrayBuffers;
      let peak = base;
      const timer = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      }, 1);
      try {
        const err = await rejection(readChartArchive(archive));
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
        return { err, peakGrowth: peak - base };
      } finally {
        clearInterval(timer);
      }
    }

    test('the bombs really are small archives of 200 MiB', () => {
      expect(manyFiles.length).toBeLessThan(MiB);
      expect(oneFile.length).toBeLessThan(MiB);
      expect(noTar.length).toBeLessThan(MiB);
    });

    test('many 10 MiB files: refused at the 50 MiB total, with memory bounded by the limit', async () => {
      const { err, peakGrowth } = await loadSampling(manyFiles);
      expect(err.message).toMatch(/larger than 52428800 bytes uncompressed \(limit maxTotalBytes\), at entry 'bomb\/zeros-4.bin'/);
      expect(err.details.bytesRead).toBeLessThanOrEqual(50 * MiB);
      // Holding everything would be >= 200 MiB; we hold at most the 50 MiB allowed.
      expect(peakGrowth).toBeLessThan(120 * MiB);
    }, 30_000);

    test('one 200 MiB file: refused from its header by maxFileBytes, before inflating it', async () => {
      const { err, peakGrowth } = await loadSampling(oneFile);
      expect(err.message).toMatch(/entry 'bomb\/zeros-0.bin' is larger than 10485760 bytes uncompressed \(limit maxFileBytes\)/);
      expect(peakGrowth).toBeLessThan(30 * MiB);
    }, 30_000);

    test('zeros with no tar structure: decompression stops just past the limit', async () => {
      const { err, peakGrowth } = await loadSampling(noTar);
      expect(err.message).toMatch(/expands beyond the uncompressed size limit/);
      const bytesRead = err.details.bytesRead as number;
      expect(bytesRead).toBeGreaterThan(50 * MiB);
      expect(bytesRead).toBeLessThan(80 * MiB);
      expect(peakGrowth).toBeLessThan(120 * MiB);
    }, 30_000);
  });
});

describe('corrupt input', () => {
  test('a truncated gzip is refused', async () => {
    const archive = await makeArchive({ 'Chart.yaml': chartYaml, 'templates/a.yaml': 'x'.repeat(5000) });
    const err = await rejection(readChartArchive(archive.subarray(0, archive.length - 20)));
    expect(err.message).toMatch(/not a valid gzip-compressed tar, or is truncated.*unexpected end of file/);
  });

  test('a tar cut in the middle of an entry (inside a valid gzip) is refused, naming the entry', async () => {
    const archive = await makeArchive({ 'Chart.yaml': chartYaml, 'templates/a.yaml': 'x'.repeat(5000) });
    const { gunzipSync } = await import('node:zlib');
    const tar = gunzipSync(archive);
    const err = await rejection(readChartArchive(gzipSync(tar.subarray(0, 1024 + 512 + 2000))));
    expect(err.message).toMatch(/truncated \(at entry 'mychart\/templates\/a.yaml'\)/);
  });

  test('bytes that are not gzip are refused', async () => {
    const err = await rejection(readChartArchive(Buffer.from('apiVersion: v1\nname: x\n')));
    expect(err.message).toMatch(/not a valid gzip-compressed tar/);
  });

  test('gzip data that is not a tar is refused', async () => {
    const err = await rejection(readChartArchive(gzipSync(Buffer.from('hello '.repeat(200)))));
    expect(err.message).toMatch(/not a valid gzip-compressed tar.*Invalid tar header/);
  });

  test('an empty buffer is refused', async () => {
    await rejection(readChartArchive(Buffer.alloc(0)));
  });
});
