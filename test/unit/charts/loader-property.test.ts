/**
 * Property test of the chart loader over generated hostile archives (issue 8, `make fuzz`).
 *
 * Whatever bytes arrive, loadChartArchive must either load a Chart or reject with an AppStoreError whose code is
 * 'InvalidArgument': never another error type, never hang (each case is time-bounded), and never let memory grow
 * without bound. The generated archives cover path traversal (`..`, absolute paths, backslashes), symbolic and hard
 * links, long names and pax headers, hand-made tar headers with huge or malformed size fields, truncated gzip at
 * random offsets, random bytes, byte flips, small gzip bombs and duplicate entries.
 *
 * FUZZ_NUM_RUNS (default 300) and FUZZ_SEED tune the run; FUZZ_PROPERTY_SUMMARY names a JSON file that receives a
 * summary of the outcomes (scripts/fuzz/run.sh puts it into docs/FUZZING.md).
 */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { loadChartArchive } from '../../../src/charts/load-chart.js';
import { AppStoreError } from '../../../src/domain/errors.js';
import { gzipZeros, makeTgz, makeZeroBomb, type RawEntry } from './make-archive.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const NUM_RUNS = Number(process.env.FUZZ_NUM_RUNS ?? 300);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
/** Per case: a bounded archive must be loaded or refused well within this. */
const CASE_TIMEOUT_MS = 10_000;
/** Small limits, so that bombs hit them quickly; the archives below are sized against these. */
const LIMITS = { maxFiles: 200, maxTotalBytes: 2 * MiB, maxFileBytes: 512 * KiB, maxDepth: 4 };
/** How far RSS may grow above its level before the run (a bomb is bounded by LIMITS, a few MiB). */
const RSS_GROWTH_BOUND = 256 * MiB;

const chartYaml = 'apiVersion: v1\nname: mychart\nversion: 1.0.0\n';

// ---------------------------------------------------------------------------------------------------------------
// Archive specifications (plain data, so fast-check can shrink them), built into bytes inside the property.

type Spec =
  | { kind: 'entries'; entries: RawEntry[] }
  | { kind: 'raw-headers'; blocks: RawHeader[]; trailer: boolean }
  | { kind: 'truncated'; entries: RawEntry[]; cut: number }
  | { kind: 'flipped'; entries: RawEntry[]; flips: Array<{ at: number; xor: number }> }
  | { kind: 'random-bytes'; bytes: Uint8Array; gzip: boolean }
  | { kind: 'zero-bomb'; files: number; fileBytes: number }
  | { kind: 'gzip-zeros'; bytes: number };

interface RawHeader {
  name: string;
  prefix: string;
  size: string;
  typeflag: string;
  linkname: string;
  body: number;
  pax?: string;
}

const segment = fc.oneof(
  fc.constantFrom('..', '.', '', 'templates', 'charts', 'Chart.yaml', 'values.yaml', 'requirements.yaml', 'a.tgz'),
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('a', '/', '\\', '.', ':', '\0', 'é', ' '), minLength: 1, maxLength: 12 }),
);

const hostileName = fc.oneof(
  fc.constantFrom(
    'mychart/Chart.yaml',
    'mychart/values.yaml',
    'mychart/templates/cm.yaml',
    'mychart/../evil',
    '../mychart/Chart.yaml',
    '/etc/passwd',
    '/mychart/Chart.yaml',
    'mychart\\..\\..\\evil',
    'C:\\mychart\\Chart.yaml',
    'mychart/./Chart.yaml',
    'mychart//Chart.yaml',
    './mychart/Chart.yaml',
    'other/Chart.yaml',
    'mychart',
    '',
  ),
  fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('/')),
  fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => `mychart/${s.join('/')}`),
  // Long names: beyond ustar's 100 (+155 prefix) bytes, so tar-stream writes pax headers.
  fc.integer({ min: 90, max: 4000 }).map((n) => `mychart/${'d/'.repeat(Math.floor(n / 2))}x.yaml`),
  fc.integer({ min: 90, max: 4000 }).map((n) => `mychart/${'x'.repeat(n)}`),
);

const content = fc.oneof(
  fc.constant(chartYaml),
  fc.constantFrom('a: 1\n', 'kind: ConfigMap\n', ': : :\n', '{', '- [\n', 'name: [x\nversion: 1\n', 'apiVersion: v1\nname: ../x\nversion: 1.0.0\n'),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
);

const entry: fc.Arbitrary<RawEntry> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ name: hostileName, content }) },
  { weight: 1, arbitrary: fc.record({ name: hostileName, type: fc.constant<RawEntry['type']>('directory') }) },
  {
    weight: 2,
    arbitrary: fc.record({
      name: hostileName,
      type: fc.constantFrom<RawEntry['type']>('symlink', 'link'),
      linkname: fc.constantFrom('/etc/passwd', '../../x', 'mychart/Chart.yaml', 'Chart.yaml', ''),
    }),
  },
);

/** Well-formed charts (most of them load), so that truncation and byte flips start from something valid. */
const benign = fc
  .uniqueArray(
    fc.record({
      name: fc.constantFrom('values.yaml', 'templates/cm.yaml', 'templates/_helpers.tpl', 'README.md', 'charts/sub/Chart.yaml', '.helmignore'),
      content: fc.constantFrom('a: 1\n', 'kind: ConfigMap\n', '', 'apiVersion: v1\nname: sub\nversion: 0.1.0\n'),
    }),
    { selector: (f) => f.name, maxLength: 5 },
  )
  .map((files): RawEntry[] => [
    { name: 'mychart/Chart.yaml', content: chartYaml },
    ...files.map((f) => ({ name: `mychart/${f.name}`, content: f.content })),
  ]);

/** Usually starts with a good Chart.yaml, so that the later (hostile) entries are the reason for any refusal. */
const entries = fc
  .tuple(fc.boolean(), fc.array(entry, { maxLength: 8 }), fc.boolean())
  .map(([withChart, rest, duplicate]) => {
    const list: RawEntry[] = withChart ? [{ name: 'mychart/Chart.yaml', content: chartYaml }, ...rest] : [...rest];
    if (duplicate && list.length > 0) list.push(list[0]!);
    return list;
  });

const octalSize = (n: number): string => n.toString(8).padStart(11, '0');
const rawHeader: fc.Arbitrary<RawHeader> = fc.record(
  {
    name: hostileName.map((n) => n.slice(0, 100)),
    prefix: fc.oneof(fc.constant(''), fc.constantFrom('..', '/abs', 'mychart', 'a'.repeat(155))),
    size: fc.oneof(
      fc.integer({ min: 0, max: 600 }).map(octalSize),
      fc.constantFrom('77777777777', '7777777777777', '-1', 'zz', '', '00000001000 ', '\u0080\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff'),
      fc.string({ maxLength: 12 }),
    ),
    typeflag: fc.constantFrom('0', '\0', '5', '1', '2', '3', '4', '6', '7', 'x', 'g', 'L', 'K', 'Z'),
    linkname: fc.constantFrom('', '../x', '/etc/passwd'),
    body: fc.integer({ min: 0, max: 1500 }),
    pax: fc.option(
      fc.oneof(
        fc.constantFrom('30 path=../../../etc/passwd\n', '99999999999 path=x\n', '5 x\n', 'garbage', '13 size=-10\n', '24 size=99999999999999\n'),
        fc.string({ maxLength: 200 }),
      ),
      { nil: undefined },
    ),
  },
  { requiredKeys: ['name', 'prefix', 'size', 'typeflag', 'linkname', 'body'] },
);

const hostileOrBenign = fc.oneof(entries, benign);

const spec: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('entries' as const), entries }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('entries' as const), entries: benign }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('raw-headers' as const),
      blocks: fc.array(rawHeader, { minLength: 1, maxLength: 4 }),
      trailer: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('truncated' as const), entries: hostileOrBenign, cut: fc.double({ min: 0, max: 1, noNaN: true }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('flipped' as const),
      entries: hostileOrBenign,
      flips: fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('random-bytes' as const), bytes: fc.uint8Array({ maxLength: 4096 }), gzip: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('zero-bomb' as const),
      files: fc.integer({ min: 1, max: 4 }),
      fileBytes: fc.integer({ min: 256 * KiB, max: 3 * MiB }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('gzip-zeros' as const), bytes: fc.integer({ min: 0, max: 8 * MiB }) }) },
);

// ---------------------------------------------------------------------------------------------------------------
// Building the bytes.

/** A 512-byte tar header written field by field, with a correct checksum over whatever the fields hold. */
function tarHeader(h: { name: string; prefix: string; size: string; typeflag: string; linkname: string }): Buffer {
  const block = Buffer.alloc(512);
  const put = (value: string, at: number, len: number) => block.write(value, at, len, 'latin1');
  put(h.name, 0, 100);
  put('0000644\0', 100, 8);
  put('0000000\0', 108, 8);
  put('0000000\0', 116, 8);
  put(h.size, 124, 12);
  put('00000000000\0', 136, 12);
  put(h.typeflag, 156, 1);
  put(h.linkname, 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put(h.prefix, 345, 155);
  block.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return block;
}

function padded(body: Buffer): Buffer[] {
  const pad = (512 - (body.length % 512)) % 512;
  return [body, Buffer.alloc(pad)];
}

function rawTar(blocks: RawHeader[], trailer: boolean): Buffer {
  const parts: Buffer[] = [];
  for (const b of blocks) {
    if (b.pax !== undefined) {
      const pax = Buffer.from(b.pax, 'utf8');
      parts.push(tarHeader({ name: 'PaxHeader', prefix: '', size: octalSize(pax.length), typeflag: 'x', linkname: '' }), ...padded(pax));
    }
    parts.push(tarHeader(b), ...padded(Buffer.alloc(b.body, 0x61)));
  }
  if (trailer) parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

async function build(s: Spec): Promise<Buffer> {
  switch (s.kind) {
    case 'entries':
      return makeTgz(s.entries);
    case 'raw-headers':
      return rawTar(s.blocks, s.trailer);
    case 'truncated': {
      const whole = await makeTgz(s.entries);
      return whole.subarray(0, Math.floor(whole.length * s.cut));
    }
    case 'flipped': {
      const bytes = Buffer.from(await makeTgz(s.entries));
      for (const { at, xor } of s.flips) bytes[at % bytes.length]! ^= xor;
      return bytes;
    }
    case 'random-bytes':
      return s.gzip ? gzipSync(s.bytes) : Buffer.from(s.bytes);
    case 'zero-bomb':
      return makeZeroBomb(s.files, s.fileBytes, 'mychart');
    case 'gzip-zeros':
      return gzipZeros(s.bytes);
  }
}

// ---------------------------------------------------------------------------------------------------------------

type Outcome = 'loaded' | 'rejected';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (hang)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('the chart loader under hostile archives (fast-check)', () => {
  test(`loads a Chart or rejects with InvalidArgument, in bounded time and memory (${NUM_RUNS} runs)`, async () => {
    const summary = {
      numRuns: NUM_RUNS,
      seed: undefined as number | undefined,
      byKind: {} as Record<string, Record<Outcome, number>>,
      reasons: {} as Record<string, number>,
      slowestCaseMs: 0,
      rssBeforeMiB: 0,
      rssPeakMiB: 0,
      failure: undefined as string | undefined,
    };
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);

    const property = fc.asyncProperty(spec, async (s) => {
      const archive = await build(s);
      const started = performance.now();
      let outcome: Outcome;
      try {
        const chart = await withTimeout(loadChartArchive(archive, LIMITS), CASE_TIMEOUT_MS);
        expect(typeof chart.metadata?.name).toBe('string');
        outcome = 'loaded';
      } catch (err) {
        if (!(err instanceof AppStoreError) || err.code !== 'InvalidArgument') {
          throw new Error(
            `expected an AppStoreError InvalidArgument, got ${err instanceof AppStoreError ? `AppStoreError ${err.code}` : String(err)}`,
            { cause: err },
          );
        }
        outcome = 'rejected';
        const reason = err.message
          .replace(/'[^']*'/g, "'…'")
          .replace(/\d+/g, 'N')
          .slice(0, 90);
        summary.reasons[reason] = (summary.reasons[reason] ?? 0) + 1;
      }
      summary.slowestCaseMs = Math.max(summary.slowestCaseMs, performance.now() - started);
      peak = Math.max(peak, process.memoryUsage().rss);
      const counts = (summary.byKind[s.kind] ??= { loaded: 0, rejected: 0 });
      counts[outcome] += 1;
      expect(peak - before).toBeLessThan(RSS_GROWTH_BOUND);
    });

    try {
      const details = await fc.check(property, { numRuns: NUM_RUNS, seed: SEED, interruptAfterTimeLimit: 240_000 });
      summary.seed = details.seed;
      if (details.failed) summary.failure = fc.defaultReportMessage(details) ?? 'failed';
      summary.numRuns = details.numRuns;
    } finally {
      clearInterval(sampler);
      summary.rssBeforeMiB = Math.round(before / MiB);
      summary.rssPeakMiB = Math.round(peak / MiB);
      summary.slowestCaseMs = Math.round(summary.slowestCaseMs);
      if (process.env.FUZZ_PROPERTY_SUMMARY) writeFileSync(process.env.FUZZ_PROPERTY_SUMMARY, JSON.stringify(summary, null, 2));
    }
    if (summary.failure !== undefined) throw new Error(summary.failure);
    expect(summary.numRuns).toBe(NUM_RUNS);
  }, 300_000);
});
