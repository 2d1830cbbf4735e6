import { AppStoreError } from '../../../src/domain/errors.js';
import yaml from 'js-yaml';
import { parseIndex, parseIndexCharts, parseIndexChartsGently } from '../../../src/catalog/index-file.js';
import { entry, indexYaml } from '../../fixtures/catalog/index-yaml.js';

const REPO = 'https://charts.example.org/stable';

describe('parseIndex', () => {
  it('reads entries with their Chart.yaml fields, digest, created and urls', () => {
    const text = indexYaml([
      entry('web', '1.2.0', {
        appVersion: '2.0',
        keywords: ['http', 'server'],
        maintainers: [{ name: 'Ann', email: 'ann@example.org' }],
        home: 'https://web.example.org',
        deprecated: true,
      }),
    ]);
    const { entries, skipped } = parseIndex(text, REPO);
    expect(skipped).toEqual([]);
    expect(entries).toHaveLength(1);
    const [web] = entries;
    expect(web?.metadata).toEqual({
      apiVersion: 'v1',
      name: 'web',
      version: '1.2.0',
      appVersion: '2.0',
      description: 'The web chart.',
      keywords: ['http', 'server'],
      home: 'https://web.example.org',
      sources: [],
      maintainers: [{ name: 'Ann', email: 'ann@example.org', url: '' }],
      icon: '',
      deprecated: true,
    });
    expect(web?.created).toBe('2024-01-01T00:00:00Z');
    expect(web?.digest).toMatch(/^[a-f0-9]{64}$/);
  });

  it('keeps an unquoted created timestamp as the string written, not a Date', () => {
    const text = indexYaml([entry('web', '1.0.0')]).replace(
      "created: '2024-01-01T00:00:00Z'",
      'created: 2016-10-06T16:23:20.499814565-06:00',
    );
    expect(text).toContain('created: 2016-10-06T16:23:20.499814565-06:00');
    expect(parseIndex(text, REPO).entries[0]?.created).toBe('2016-10-06T16:23:20.499814565-06:00');
  });

  it('resolves relative archive URLs against the repository URL and keeps absolute ones', () => {
    const text = indexYaml([
      entry('a', '1.0.0', { urls: ['a-1.0.0.tgz'] }),
      entry('b', '1.0.0', { urls: ['charts/b-1.0.0.tgz', 'https://mirror.example.net/b-1.0.0.tgz'] }),
      entry('c', '1.0.0', { urls: ['/root/c-1.0.0.tgz'] }),
    ]);
    const urls = parseIndex(text, `${REPO}/`).entries.map((e) => e.urls);
    expect(urls).toEqual([
      ['https://charts.example.org/stable/a-1.0.0.tgz'],
      ['https://charts.example.org/stable/charts/b-1.0.0.tgz', 'https://mirror.example.net/b-1.0.0.tgz'],
      ['https://charts.example.org/root/c-1.0.0.tgz'],
    ]);
  });

  it('skips malformed entries with the reason and keeps the rest', () => {
    const text = indexYaml([
      entry('good', '1.0.0'),
      entry('noname', '1.0.0', { name: undefined, key: 'noname' }),
      entry('bad', 'one.two'),
      entry('dup', '1.0.0'),
      entry('dup', '1.0.0', { digest: 'b'.repeat(64) }),
      entry('dup', 'v1.0.0'),
      entry('numeric', '1.0.0', { version: 1.5 }),
      entry('other', '1.0.0', { key: 'renamed' }),
      entry('nodigest', '1.0.0', { digest: undefined }),
      entry('nourls', '1.0.0', { urls: [] }),
      entry('file', '1.0.0', { urls: ['file:///etc/passwd'] }),
      entry('creds', '1.0.0', { urls: ['https://user:secret@example.org/c.tgz'] }),
      entry('bad name', '1.0.0'),
    ]);
    const { entries, skipped } = parseIndex(text, REPO);
    expect(entries.map((e) => `${e.name}@${e.version}`)).toEqual(['good@1.0.0', 'dup@1.0.0']);
    expect(skipped).toEqual([
      { chart: 'noname', version: '1.0.0', reason: 'no name' },
      { chart: 'bad', version: 'one.two', reason: 'version "one.two" is not a valid semantic version' },
      { chart: 'dup', version: '1.0.0', reason: 'duplicate of version 1.0.0' },
      { chart: 'dup', version: 'v1.0.0', reason: 'duplicate of version 1.0.0' },
      { chart: 'numeric', reason: 'version 1.5 is not a string' },
      { chart: 'renamed', version: '1.0.0', reason: 'its name "other" differs from its key' },
      { chart: 'nodigest', version: '1.0.0', reason: 'no sha256 digest' },
      { chart: 'nourls', version: '1.0.0', reason: 'no urls' },
      { chart: 'file', version: '1.0.0', reason: 'url "file:///etc/passwd" is not http(s)' },
      { chart: 'creds', version: '1.0.0', reason: 'a url carries credentials' },
      { chart: 'bad name', version: '1.0.0', reason: 'name "bad name" is not a valid chart name' },
    ]);
    expect(JSON.stringify(skipped)).not.toContain('secret');
  });

  it('accepts a digest with a sha256: prefix, lower-cased', () => {
    const text = indexYaml([entry('a', '1.0.0', { digest: `sha256:${'AB'.repeat(32)}` })]);
    expect(parseIndex(text, REPO).entries[0]?.digest).toBe('ab'.repeat(32));
  });

  it('reads an index written as JSON', () => {
    const json = JSON.stringify({ apiVersion: 'v1', entries: { a: [entry('a', '1.0.0')] } });
    expect(parseIndex(json, REPO).entries.map((e) => e.name)).toEqual(['a']);
  });

  it('treats an index without entries as empty', () => {
    expect(parseIndex('apiVersion: v1\nentries: {}\n', REPO).entries).toEqual([]);
    expect(parseIndex('apiVersion: v1\n', REPO).entries).toEqual([]);
  });

  it.each([
    ['not YAML', 'entries: [unclosed', /not valid YAML/],
    ['not a mapping', '- a\n- b\n', /not a YAML mapping/],
    ['entries not a mapping', 'apiVersion: v1\nentries: [1, 2]\n', /'entries' is not a mapping/],
    ['another apiVersion', 'apiVersion: v2\nentries: {}\n', /apiVersion v2 is not v1/],
  ])('refuses a document that is %s', (_what, text, message) => {
    let thrown: unknown;
    try {
      parseIndex(text, REPO);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppStoreError);
    expect((thrown as AppStoreError).code).toBe('Unavailable');
    expect((thrown as AppStoreError).message).toMatch(message);
  });

  it('reads a numeric appVersion as written instead of dropping the entry', () => {
    const text = indexYaml([entry('a', '1.0.0', { appVersion: 2.5 })]);
    expect(parseIndex(text, REPO).entries[0]?.metadata.appVersion).toBe('2.5');
  });
});

describe('parseIndexCharts', () => {
  const entries = [entry('web', '1.0.0'), entry('web', '1.1.0', { description: 'Newer.' }), entry('db', '2.0.0', { keywords: ['sql'] })];

  it('hands each chart its usable versions in the index order, and keeps only what it returns', () => {
    const seen: string[] = [];
    const text = indexYaml([...entries, entry('broken', 'not-semver')]);
    const { charts, skipped } = parseIndexCharts(text, REPO, (chart, list) => {
      seen.push(`${chart}:${list.map((e) => e.version).join(',')}`);
      return list.length;
    });
    expect(seen).toEqual(['web:1.0.0,1.1.0', 'db:2.0.0']);
    expect([...charts]).toEqual([['web', 2], ['db', 1]]);
    expect(skipped).toEqual([{ chart: 'broken', version: 'not-semver', reason: expect.stringMatching(/semantic version/) }]);
  });

  // Read chart by chart or as one document, an index means the same: each of these layouts must read as Helm's does.
  it.each([
    ['indented by four, sequences nested', (doc: unknown) => yaml.dump(doc, { indent: 4, noArrayIndent: false })],
    ['flow style (JSON)', (doc: unknown) => JSON.stringify(doc)],
    ['with comments, blank lines and keys after the entries', (doc: unknown) => `# written by hand\n${yaml.dump(doc).replace('  db:', '\n  # the database\n  db:')}serverInfo: {}\n`],
    ['with an anchor in one chart used by another', (doc: unknown) =>
      yaml.dump(doc).replace(/description: The web chart\./, 'description: &d The web chart.').replace(/description: The db chart\./, 'description: *d')],
    ['with a chart listed twice (the later list counts)', (doc: unknown) => yaml.dump(doc).replace(/^entries:\n/m, `entries:\n  db:\n    - {name: db, version: 0.1.0, digest: "${'a'.repeat(64)}", urls: [x.tgz]}\n`)],
  ])('reads an index %s as the whole document reads', (_what, write) => {
    const doc = yaml.load(indexYaml(entries));
    const text = write(doc);
    const whole = (yaml.load(text, { json: true }) as { entries: Record<string, unknown[]> }).entries;
    const byChart = parseIndexCharts(text, REPO, (_chart, list) => list.map((e) => [e.version, e.metadata.description]));
    expect(Object.fromEntries(byChart.charts)).toEqual(
      Object.fromEntries(Object.entries(whole).map(([chart, list]) => [chart, list.map((e) => [(e as { version: string }).version, (e as { description: string }).description])])),
    );
  });

  it('refuses an index whose one chart is not valid YAML, as the whole document is not', () => {
    const text = indexYaml(entries).replace('  db:\n', '  db:\n    - [unclosed\n');
    expect(() => parseIndexCharts(text, REPO, () => 1)).toThrow(/not valid YAML/);
  });

  it('refuses another apiVersion written after the entries', () => {
    const text = `${indexYaml(entries).replace('apiVersion: v1\n', '')}apiVersion: v2\n`;
    expect(() => parseIndexCharts(text, REPO, () => 1)).toThrow(/apiVersion v2 is not v1/);
  });

  it('gives way to the event loop between charts when asked to, with the same result', async () => {
    const many = Array.from({ length: 30 }, (_, i) => entry(`chart-${i}`, '1.0.0'));
    const text = indexYaml(many);
    const order: string[] = [];
    const parsed = parseIndexChartsGently(text, REPO, (chart) => {
      order.push(chart);
      return chart;
    }, 0);
    // A callback queued now runs while the parse is under way, not after it.
    const ranAfter = new Promise<number>((resolve) => setImmediate(() => resolve(order.length)));
    const result = await parsed;
    expect(await ranAfter).toBeLessThan(many.length);
    expect(result).toEqual(parseIndexCharts(text, REPO, (chart) => chart));
  });
});

