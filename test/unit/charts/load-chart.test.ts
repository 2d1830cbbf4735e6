import type { Chart } from '../../../gen/hapi/chart/chart.js';
import { loadChartArchive, loadChartFiles } from '../../../src/charts/index.js';
import { AppStoreError } from '../../../src/domain/errors.js';
import { makeArchive, makeTgz } from './make-archive.js';

async function rejection(promise: Promise<unknown>): Promise<AppStoreError> {
  const err: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppStoreError);
  expect((err as AppStoreError).code).toBe('InvalidArgument');
  return err as AppStoreError;
}

const chartYaml = (name: string, version = '1.0.0') => `apiVersion: v1\nname: ${name}\nversion: ${version}\n`;
const asText = (chart: Chart) => ({
  templates: chart.templates.map((t) => [t.name, t.data.toString()]),
  files: chart.files.map((f) => [f.typeUrl, f.value.toString()]),
  values: chart.values?.raw,
});

describe('loading a chart archive', () => {
  const fullChartYaml = [
    'apiVersion: v1',
    'name: web',
    'version: 1.2.3-rc.1+build.5',
    'appVersion: "2.0"',
    'kubeVersion: ">=1.10"',
    'tillerVersion: ">=2.14"',
    'description: A web server',
    'home: https://example.org',
    'icon: https://example.org/icon.svg',
    'engine: gotpl',
    'condition: web.enabled',
    'tags: front',
    'deprecated: true',
    'keywords: [web, http]',
    'sources: [https://example.org/src]',
    'maintainers:',
    '  - name: Jane',
    '    email: jane@example.org',
    '  - name: Bob',
    '    url: https://bob.example.org',
    'annotations:',
    '  category: demo',
    'someFutureField: ignored',
  ].join('\n');

  let chart: Chart;
  beforeAll(async () => {
    const sub = await makeArchive(
      { 'Chart.yaml': chartYaml('cache', '0.3.0'), 'values.yaml': 'size: 1\n', 'templates/cache.yaml': 'cache' },
      { topDir: 'cache' },
    );
    chart = await loadChartArchive(
      await makeArchive({
        'Chart.yaml': fullChartYaml,
        'values.yaml': 'replicas: 2\n',
        'templates/deployment.yaml': 'kind: Deployment',
        'templates/NOTES.txt': 'Thanks',
        'templates/sub/_helpers.tpl': '{{/* helper */}}',
        'requirements.yaml': 'dependencies: []\n',
        'requirements.lock': 'digest: x\n',
        'values.schema.json': '{}',
        'README.md': '# Web',
        'files/config.ini': '[main]',
        '.helmignore': '*.bak\n',
        'notes.bak': 'kept: .helmignore is not applied to archives',
        'charts/db/Chart.yaml': chartYaml('db', '2.0.0'),
        'charts/db/values.yaml': 'port: 5432\n',
        'charts/db/templates/db.yaml': 'db',
        'charts/db/charts/inner/Chart.yaml': chartYaml('inner', '0.0.1'),
        'charts/cache-0.3.0.tgz': sub,
        'charts/cache-0.3.0.tgz.prov': 'signature',
        'charts/.DS_Store': 'junk',
        'charts/_scratch/Chart.yaml': 'not a chart at all: [',
      }),
    );
  });

  test('maps Chart.yaml to metadata, camelCase fields included, unknown fields ignored', () => {
    expect(chart.metadata).toEqual({
      name: 'web',
      version: '1.2.3-rc.1+build.5',
      apiVersion: 'v1',
      appVersion: '2.0',
      kubeVersion: '>=1.10',
      tillerVersion: '>=2.14',
      description: 'A web server',
      home: 'https://example.org',
      icon: 'https://example.org/icon.svg',
      engine: 'gotpl',
      condition: 'web.enabled',
      tags: 'front',
      deprecated: true,
      keywords: ['web', 'http'],
      sources: ['https://example.org/src'],
      maintainers: [
        { name: 'Jane', email: 'jane@example.org', url: '' },
        { name: 'Bob', email: '', url: 'https://bob.example.org' },
      ],
      annotations: { category: 'demo' },
    });
  });

  test('puts templates/ (at any depth) in templates, values.yaml raw in values, the rest in files', () => {
    expect(asText(chart)).toEqual({
      templates: [
        ['templates/deployment.yaml', 'kind: Deployment'],
        ['templates/NOTES.txt', 'Thanks'],
        ['templates/sub/_helpers.tpl', '{{/* helper */}}'],
      ],
      files: [
        ['requirements.yaml', 'dependencies: []\n'],
        ['requirements.lock', 'digest: x\n'],
        ['values.schema.json', '{}'],
        ['README.md', '# Web'],
        ['files/config.ini', '[main]'],
        ['.helmignore', '*.bak\n'],
        ['notes.bak', 'kept: .helmignore is not applied to archives'],
        ['charts/cache-0.3.0.tgz.prov', 'signature'],
      ],
      values: 'replicas: 2\n',
    });
  });

  test('loads charts/<dir>/ and charts/*.tgz as dependencies, recursively, skipping charts/. and charts/_ entries', () => {
    expect(chart.dependencies.map((d) => [d.metadata?.name, d.metadata?.version])).toEqual([
      ['db', '2.0.0'],
      ['cache', '0.3.0'],
    ]);
    const [db, cache] = chart.dependencies;
    expect(asText(db as Chart)).toEqual({ templates: [['templates/db.yaml', 'db']], files: [], values: 'port: 5432\n' });
    expect(db?.dependencies.map((d) => d.metadata?.name)).toEqual(['inner']);
    expect(db?.dependencies[0]?.values).toEqual({ raw: '', values: {} });
    expect(asText(cache as Chart)).toEqual({ templates: [['templates/cache.yaml', 'cache']], files: [], values: 'size: 1\n' });
  });
});

describe('Chart.yaml problems are refused with a clear message', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['missing Chart.yaml', { 'values.yaml': 'a: 1' }, /^Chart.yaml is missing$/],
    ['bad YAML', { 'Chart.yaml': 'name: [unclosed' }, /^Chart.yaml is not valid YAML/],
    ['a list instead of a mapping', { 'Chart.yaml': '- name: x' }, /Chart.yaml must be a YAML mapping/],
    ['an empty Chart.yaml', { 'Chart.yaml': '# nothing\n' }, /Chart.yaml is empty/],
    ['no name', { 'Chart.yaml': 'apiVersion: v1\nversion: 1.0.0' }, /Chart.yaml: name is required/],
    ['no version', { 'Chart.yaml': 'apiVersion: v1\nname: x' }, /Chart.yaml: version is required/],
    ['a non-semver version', { 'Chart.yaml': 'apiVersion: v1\nname: x\nversion: "1.0"' }, /version '1.0' is not a valid semantic version/],
    ['an unquoted numeric appVersion', { 'Chart.yaml': `${chartYaml('x')}appVersion: 1.0` }, /field 'appVersion' must be a string \(quote it\), got number/],
    ['no apiVersion', { 'Chart.yaml': 'name: x\nversion: 1.0.0' }, /apiVersion is required/],
    ['a bad maintainer', { 'Chart.yaml': `${chartYaml('x')}maintainers: [jane]` }, /maintainers\[0\] must be a mapping/],
    ['values.toml', { 'Chart.yaml': chartYaml('x'), 'values.toml': 'a = 1' }, /values.toml is not supported/],
  ];

  test.each(cases)('%s', async (_what, files, message) => {
    const err = await rejection(loadChartArchive(await makeArchive(files)));
    expect(err.message).toMatch(message);
  });

  test('an apiVersion v2 chart loads, and its raw Chart.yaml travels among its files for a Helm engine', async () => {
    const raw = 'apiVersion: v2\nname: x\nversion: 1.0.0\ntype: application\ndependencies:\n  - name: sub\n    version: 0.1.0\n';
    const chart = await loadChartArchive(await makeArchive({ 'Chart.yaml': raw, 'charts/sub/Chart.yaml': 'apiVersion: v1\nname: sub\nversion: 0.1.0' }));
    expect(chart.metadata?.apiVersion).toBe('v2');
    expect(chart.files.find((f) => f.typeUrl === 'Chart.yaml')?.value.toString()).toBe(raw);
    // A v1 subchart's metadata says all there is: no raw file for it (Tiller never sees one either).
    expect(chart.dependencies[0]?.files.some((f) => f.typeUrl === 'Chart.yaml')).toBe(false);
  });

  test('an apiVersion no Helm knows is refused, naming the ones it knows', async () => {
    const err = await rejection(loadChartArchive(await makeArchive({ 'Chart.yaml': 'apiVersion: v3\nname: x\nversion: 1.0.0' })));
    expect(err.message).toBe("Chart.yaml: apiVersion 'v3' is not a chart apiVersion Helm knows (v1 or v2)");
  });

  test('a broken subchart is reported with its path', async () => {
    const files = { 'Chart.yaml': chartYaml('top'), 'charts/sub/Chart.yaml': 'apiVersion: v1\nname: sub' };
    const err = await rejection(loadChartArchive(await makeArchive(files)));
    expect(err.message).toBe('charts/sub/Chart.yaml: version is required');
  });

  test('a broken nested archive is reported with its path', async () => {
    const inner = await makeArchive({ 'values.yaml': 'a: 1' }, { topDir: 'sub' });
    const err = await rejection(loadChartArchive(await makeArchive({ 'Chart.yaml': chartYaml('top'), 'charts/sub.tgz': inner })));
    expect(err.message).toBe('charts/sub.tgz: Chart.yaml is missing');
  });

  test('a stray file directly in charts/ is neither a chart folder nor an archive', async () => {
    const err = await rejection(loadChartArchive(await makeArchive({ 'Chart.yaml': chartYaml('top'), 'charts/README.md': 'hi' })));
    expect(err.message).toMatch(/charts\/README.md is neither a chart directory nor a .tgz chart archive/);
  });
});

describe('nested archives get the same guards and share the budget', () => {
  test('a symlink inside charts/x.tgz is refused, naming the nested archive', async () => {
    const inner = await makeArchive(
      { 'Chart.yaml': chartYaml('sub') },
      { topDir: 'sub', extra: [{ name: 'sub/templates/x.yaml', type: 'symlink', linkname: '../../../etc/passwd' }] },
    );
    const err = await rejection(loadChartArchive(await makeArchive({ 'Chart.yaml': chartYaml('top'), 'charts/sub.tgz': inner })));
    expect(err.message).toMatch(/^charts\/sub.tgz: entry 'sub\/templates\/x.yaml' is a symbolic link/);
  });

  test('entries of nested archives count against the same maxFiles', async () => {
    const inner = await makeArchive({ 'Chart.yaml': chartYaml('sub'), 'a.txt': 'a', 'b.txt': 'b' }, { topDir: 'sub' });
    const outer = await makeArchive({ 'Chart.yaml': chartYaml('top'), 'charts/sub.tgz': inner });
    await expect(loadChartArchive(outer, { maxFiles: 5 })).resolves.toBeDefined();
    const err = await rejection(loadChartArchive(outer, { maxFiles: 4 }));
    expect(err.message).toBe("charts/sub.tgz: chart has more than 4 entries (limit maxFiles), at entry 'sub/b.txt'");
  });

  test('bytes of nested archives count against the same maxTotalBytes', async () => {
    const inner = await makeArchive({ 'Chart.yaml': chartYaml('sub'), 'blob.bin': Buffer.alloc(4000) }, { topDir: 'sub' });
    const outer = await makeArchive({ 'Chart.yaml': chartYaml('top'), 'charts/sub.tgz': inner });
    const err = await rejection(loadChartArchive(outer, { maxTotalBytes: 4000 }));
    expect(err.message).toMatch(/^charts\/sub.tgz: chart is larger than 4000 bytes uncompressed \(limit maxTotalBytes\), at entry 'sub\/blob.bin'/);
  });

  test('subcharts nested deeper than maxDepth are refused', async () => {
    const files = {
      'Chart.yaml': chartYaml('a'),
      'charts/b/Chart.yaml': chartYaml('b'),
      'charts/b/charts/c/Chart.yaml': chartYaml('c'),
    };
    await expect(loadChartArchive(await makeArchive(files), { maxDepth: 2 })).resolves.toBeDefined();
    const err = await rejection(loadChartArchive(await makeArchive(files), { maxDepth: 1 }));
    expect(err.message).toBe('subcharts are nested more than 1 levels deep (limit maxDepth), at charts/b/charts/c');
  });
});

describe('loading a chart from files (a chart directory)', () => {
  const file = (path: string, content: string) => ({ path, data: Buffer.from(content) });

  test('loads the same way as an archive, subchart folders and archives included', async () => {
    const sub = await makeTgz([{ name: 'sub/Chart.yaml', content: chartYaml('sub', '0.1.0') }]);
    const chart = await loadChartFiles([
      file('Chart.yaml', chartYaml('top')),
      file('templates/a.yaml', 'a'),
      file('charts/folder/Chart.yaml', chartYaml('folder')),
      { path: 'charts/sub-0.1.0.tgz', data: sub },
    ]);
    expect(chart.metadata?.name).toBe('top');
    expect(chart.values).toEqual({ raw: '', values: {} });
    expect(chart.templates.map((t) => t.name)).toEqual(['templates/a.yaml']);
    expect(chart.dependencies.map((d) => d.metadata?.name)).toEqual(['folder', 'sub']);
  });

  test('applies the path guards to the given paths', async () => {
    const err = await rejection(loadChartFiles([file('Chart.yaml', chartYaml('top')), file('../escape', 'x')]));
    expect(err.message).toMatch(/entry '..\/escape' references a parent directory/);
  });

  test('refuses duplicate paths', async () => {
    const err = await rejection(loadChartFiles([file('Chart.yaml', chartYaml('top')), file('./Chart.yaml', 'x')]));
    expect(err.message).toMatch(/duplicate entry '.\/Chart.yaml'/);
  });

  test('applies the limits', async () => {
    const err = await rejection(
      loadChartFiles([file('Chart.yaml', chartYaml('top')), file('big', 'x'.repeat(100))], { limits: { maxFileBytes: 99 } }),
    );
    expect(err.message).toMatch(/entry 'big' is larger than 99 bytes/);
  });
});
