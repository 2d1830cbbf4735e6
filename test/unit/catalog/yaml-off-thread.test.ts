/**
 * Large indexes are parsed on a worker thread: the same result as on the
 * main thread, js-yaml's errors kept, the main thread free meanwhile, and
 * an abort that stops the worker.
 */
import { CORE_SCHEMA, load } from 'js-yaml';
import { AppStoreError } from '../../../src/domain/errors.js';
import { parseIndex, parseIndexOffThread } from '../../../src/catalog/index-file.js';
import { OFF_THREAD_MIN_CHARS, offThreadAvailable, parseYamlOffThread } from '../../../src/catalog/yaml-off-thread.js';
import { entry, indexYaml } from '../../fixtures/catalog/index-yaml.js';

const REPO = 'https://charts.example.org/stable';

/** An index of `charts` × 10 versions. */
function bigIndex(charts: number): string {
  const entries = [];
  for (let c = 0; c < charts; c++) {
    for (let v = 0; v < 10; v++) {
      entries.push(entry(`chart-${c}`, `1.${v}.0`, { keywords: ['web', `k${c}`], description: `Chart ${c}, version ${v}: ${'x'.repeat(40)}` }));
    }
  }
  return indexYaml(entries);
}

const big = bigIndex(600);
/** Large enough that its parse lasts well beyond a few timer ticks. */
const larger = bigIndex(1500);

beforeAll(() => {
  expect(big.length).toBeGreaterThan(OFF_THREAD_MIN_CHARS);
  expect(offThreadAvailable()).toBe(true);
});

test('a worker parses to the very document js-yaml gives on this thread', async () => {
  expect(await parseYamlOffThread(big)).toEqual(load(big, { schema: CORE_SCHEMA, json: true }));
});

test("invalid YAML rejects with js-yaml's own message", async () => {
  const bad = `${big}\n  : - [ unclosed\n`;
  let expected = '';
  try {
    load(bad, { schema: CORE_SCHEMA, json: true, filename: 'index.yaml' });
  } catch (err) {
    expected = (err as Error).message;
  }
  expect(expected).not.toBe('');
  await expect(parseYamlOffThread(bad)).rejects.toMatchObject({ name: 'YAMLException', message: expected });
  await expect(parseIndexOffThread(bad, REPO)).rejects.toMatchObject({
    code: 'Unavailable',
    message: expect.stringMatching(/^index\.yaml is malformed: it is not valid YAML: /),
  });
  await expect(parseIndexOffThread(bad, REPO)).rejects.toBeInstanceOf(AppStoreError);
});

test('parseIndexOffThread gives what parseIndex gives, small or large', async () => {
  const small = indexYaml([entry('web', '1.0.0'), entry('web', 'not-semver')]);
  expect(await parseIndexOffThread(small, REPO)).toEqual(parseIndex(small, REPO));
  const offThread = await parseIndexOffThread(big, REPO);
  expect(offThread.entries).toHaveLength(6000);
  expect(offThread).toEqual(parseIndex(big, REPO));
});

test('the main thread keeps running while the worker parses', async () => {
  let ticks = 0;
  const timer = setInterval(() => (ticks += 1), 5);
  const started = performance.now();
  try {
    await parseYamlOffThread(larger);
  } finally {
    clearInterval(timer);
  }
  const elapsed = performance.now() - started;
  // Parsed here, the same document would hold this thread for the whole time and no tick could run.
  expect(elapsed).toBeGreaterThan(50);
  expect(ticks).toBeGreaterThanOrEqual(3);
});

test('an abort stops the worker and rejects with the reason', async () => {
  const controller = new AbortController();
  const parsing = parseYamlOffThread(larger, controller.signal);
  setTimeout(() => controller.abort(new Error('catalog stopping')), 5);
  await expect(parsing).rejects.toThrow('catalog stopping');
  const aborted = new AbortController();
  aborted.abort(new Error('already'));
  await expect(parseYamlOffThread(big, aborted.signal)).rejects.toThrow('already');
});
