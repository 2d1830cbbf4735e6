import yaml from 'js-yaml';
import type { Chart } from '../../../gen/hapi/chart/chart.js';
import { loadChartFiles, processRequirements, type Values } from '../../../src/charts/index.js';
import { AppStoreError } from '../../../src/domain/errors.js';

const chartYaml = (name: string, version = '1.0.0') => `apiVersion: v1\nname: ${name}\nversion: ${version}\n`;

/** A chart from `{ path: content }`, loaded as a chart directory. */
function chartOf(files: Record<string, string>): Promise<Chart> {
  return loadChartFiles(
    Object.entries(files).map(([path, content]) => ({ path, data: Buffer.from(content) })),
    { helmignore: false },
  );
}

const names = (chart: Chart | undefined) => chart?.dependencies.map((d) => d.metadata?.name) ?? [];
const valuesOf = (chart: Chart | undefined) => yaml.load(chart?.values?.raw ?? '');
const dep = (chart: Chart, name: string) => chart.dependencies.find((d) => d.metadata?.name === name);

function thrown(fn: () => unknown): AppStoreError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppStoreError);
    expect((err as AppStoreError).code).toBe('InvalidArgument');
    return err as AppStoreError;
  }
  throw new Error('expected an error');
}

describe('conditions', () => {
  let chart: Chart;
  beforeAll(async () => {
    chart = await chartOf({
      'Chart.yaml': chartYaml('app'),
      'values.yaml': 'a:\n  enabled: false\n',
      'requirements.yaml': [
        'dependencies:',
        '  - {name: a, version: 1.0.0, repository: "", condition: a.enabled}',
        '  - {name: b, version: "~1.0", repository: "", condition: b.enabled}',
        '  - {name: c, version: ">=1.0.0, <2.0.0", repository: "", condition: "x.missing,c.enabled"}',
      ].join('\n'),
      'charts/a/Chart.yaml': chartYaml('a'),
      'charts/b/Chart.yaml': chartYaml('b', '1.0.5'),
      'charts/b/values.yaml': 'enabled: false\n',
      'charts/c/Chart.yaml': chartYaml('c', '1.9.0'),
      'charts/c/values.yaml': 'enabled: true\n',
    });
  });

  test('the parent’s and subcharts’ defaults decide when the user says nothing', () => {
    expect(names(processRequirements(chart))).toEqual(['c']);
  });

  test('user values override the defaults, relative to the parent’s values', () => {
    const out = processRequirements(chart, 'a:\n  enabled: true\nb:\n  enabled: true\nc:\n  enabled: false\n');
    expect(names(out)).toEqual(['a', 'b']);
  });

  test('user values may be given as an object', () => {
    const values: Values = { a: { enabled: true }, b: { enabled: true } };
    expect(names(processRequirements(chart, values))).toEqual(['a', 'b', 'c']);
  });

  test('YAML 1.1 booleans (yes/no/on/off) count, as they do for helm', () => {
    expect(names(processRequirements(chart, 'a:\n  enabled: yes\nc:\n  enabled: off\n'))).toEqual(['a']);
  });

  test('of comma-separated paths the first one that is set decides', () => {
    expect(names(processRequirements(chart, 'x:\n  missing: false\nc:\n  enabled: true\n'))).toEqual([]);
  });

  test('a path set to null does not stop the search', () => {
    expect(names(processRequirements(chart, 'x:\n  missing: null\nc:\n  enabled: false\n'))).toEqual([]);
  });

  test('a set non-boolean value stops the search without deciding (Helm warns)', () => {
    const warnings: string[] = [];
    const out = processRequirements(chart, 'x:\n  missing: maybe\nc:\n  enabled: false\n', {
      onWarning: (m) => warnings.push(m),
    });
    expect(names(out)).toEqual(['c']);
    expect(warnings).toEqual(["condition path 'x.missing' for chart c is not a boolean"]);
  });

  test('the input chart is not modified', () => {
    const before = JSON.stringify(chart);
    processRequirements(chart, 'a:\n  enabled: true\n');
    expect(JSON.stringify(chart)).toBe(before);
    expect(names(chart)).toEqual(['a', 'b', 'c']);
  });
});

describe('tags', () => {
  let chart: Chart;
  beforeAll(async () => {
    chart = await chartOf({
      'Chart.yaml': chartYaml('app'),
      'values.yaml': 'tags:\n  front: true\n',
      'requirements.yaml': [
        'dependencies:',
        '  - {name: web, version: 1.0.0, repository: "", tags: [front]}',
        '  - {name: api, version: 1.0.0, repository: "", tags: [back, front]}',
        '  - {name: db, version: 1.0.0, repository: "", tags: [back]}',
        '  - {name: cache, version: 1.0.0, repository: "", tags: [other]}',
        '  - {name: mix, version: 1.0.0, repository: "", tags: [front], condition: mix.enabled}',
      ].join('\n'),
      'charts/web/Chart.yaml': chartYaml('web'),
      'charts/api/Chart.yaml': chartYaml('api'),
      'charts/db/Chart.yaml': chartYaml('db'),
      'charts/cache/Chart.yaml': chartYaml('cache'),
      'charts/mix/Chart.yaml': chartYaml('mix'),
    });
  });

  test('a false tag disables, any true tag enables, unset tags leave it enabled', () => {
    const out = processRequirements(chart, 'tags:\n  front: false\n  back: true\n');
    expect(names(out)).toEqual(['api', 'db', 'cache']);
    expect(names(processRequirements(chart, 'tags:\n  back: false\n'))).toEqual(['web', 'api', 'cache', 'mix']);
  });

  test('a condition beats the tags, both ways', () => {
    expect(names(processRequirements(chart, 'tags:\n  front: false\nmix:\n  enabled: true\n'))).toContain('mix');
    expect(names(processRequirements(chart, 'tags:\n  front: true\nmix:\n  enabled: false\n'))).not.toContain('mix');
  });
});

describe('aliases', () => {
  let chart: Chart;
  beforeAll(async () => {
    chart = await chartOf({
      'Chart.yaml': chartYaml('app'),
      'requirements.yaml': [
        'dependencies:',
        '  - {name: db, version: 1.x, repository: "", alias: primary}',
        '  - {name: db, version: 1.x, repository: "", alias: replica, condition: replica.enabled}',
        '  - {name: queue, version: 9.0.0, repository: "", alias: wrongversion}',
      ].join('\n'),
      'charts/db/Chart.yaml': chartYaml('db', '1.4.0'),
      'charts/db/values.yaml': 'port: 5432\n',
      'charts/queue/Chart.yaml': chartYaml('queue', '1.0.0'),
      'charts/extra/Chart.yaml': chartYaml('extra'),
    });
  });

  test('a dependency is copied under each alias; unlisted or non-matching charts stay as they are', () => {
    const out = processRequirements(chart);
    expect(names(out)).toEqual(['queue', 'extra', 'primary', 'replica']);
    expect(dep(out, 'primary')?.metadata?.version).toBe('1.4.0');
    expect(dep(out, 'replica')?.values?.raw).toBe('port: 5432\n');
  });

  test('conditions and values use the alias name', () => {
    expect(names(processRequirements(chart, 'replica:\n  enabled: false\n'))).toEqual(['queue', 'extra', 'primary']);
  });

  test('an illegal alias is refused', async () => {
    const bad = await chartOf({
      'Chart.yaml': chartYaml('app'),
      'requirements.yaml': 'dependencies:\n  - {name: db, version: 1.x, repository: "", alias: "no.dots"}\n',
      'charts/db/Chart.yaml': chartYaml('db'),
    });
    expect(thrown(() => processRequirements(bad)).message).toMatch(/illegal alias name 'no.dots'/);
  });
});

describe('import-values', () => {
  let chart: Chart;
  beforeAll(async () => {
    chart = await chartOf({
      'Chart.yaml': chartYaml('app'),
      'values.yaml': 'port: 1\nown: kept\n',
      'requirements.yaml': [
        'dependencies:',
        '  - name: db',
        '    version: 1.0.0',
        '    repository: ""',
        '    condition: db.enabled',
        '    import-values:',
        '      - data',
        '      - child: service',
        '        parent: network.dbService',
      ].join('\n'),
      'charts/db/Chart.yaml': chartYaml('db'),
      'charts/db/values.yaml': 'exports:\n  data:\n    port: 5432\n    user: admin\nservice:\n  type: ClusterIP\n',
    });
  });

  test('the string form imports exports.<name> at the root, the map form child at parent; both win over parent defaults', () => {
    const values = valuesOf(processRequirements(chart));
    expect(values).toEqual({
      port: 5432,
      user: 'admin',
      own: 'kept',
      network: { dbService: { type: 'ClusterIP' } },
      db: { exports: { data: { port: 5432, user: 'admin' } }, service: { type: 'ClusterIP' }, global: {} },
    });
  });

  test('user values play no part in imports (they go to Tiller separately)', () => {
    const values = valuesOf(processRequirements(chart, 'db:\n  exports:\n    data:\n      port: 7\n'));
    expect(values).toMatchObject({ port: 5432 });
  });

  test('a disabled dependency imports nothing', () => {
    const out = processRequirements(chart, 'db:\n  enabled: false\n');
    expect(names(out)).toEqual([]);
    expect(valuesOf(out)).toEqual({ port: 1, own: 'kept' });
  });

  test('a missing table is skipped with a warning', async () => {
    const other = await chartOf({
      'Chart.yaml': chartYaml('app'),
      'requirements.yaml': 'dependencies:\n  - {name: db, version: 1.0.0, repository: "", import-values: [nothing]}\n',
      'charts/db/Chart.yaml': chartYaml('db'),
    });
    const warnings: string[] = [];
    const out = processRequirements(other, '', { onWarning: (m) => warnings.push(m) });
    expect(valuesOf(out)).toEqual({ db: { global: {} } });
    expect(warnings).toEqual(["import-values: chart app has no table 'db.exports.nothing' to import"]);
  });

  test('a malformed import-values item is refused', async () => {
    const bad = await chartOf({
      'Chart.yaml': chartYaml('app'),
      'requirements.yaml': 'dependencies:\n  - {name: db, version: 1.0.0, repository: "", import-values: [{child: a}]}\n',
      'charts/db/Chart.yaml': chartYaml('db'),
    });
    expect(thrown(() => processRequirements(bad)).message).toMatch(
      /requirements.yaml of chart 'app': dependencies\[0\]: import-values\[0\] must be a string or a mapping/,
    );
  });
});

test('rewritten values keep what Go reads: octal numbers, quoted YAML 1.1 words', async () => {
  const chart = await chartOf({
    'Chart.yaml': chartYaml('app'),
    'values.yaml': 'defaultMode: 0644\nflag: "on"\n',
    'requirements.yaml': 'dependencies:\n  - {name: db, version: 1.0.0, repository: ""}\n',
    'charts/db/Chart.yaml': chartYaml('db'),
  });
  expect(processRequirements(chart).values?.raw).toBe("db:\n  global: {}\ndefaultMode: 420\nflag: 'on'\n");
});

describe('nested charts', () => {
  let chart: Chart;
  beforeAll(async () => {
    chart = await chartOf({
      'Chart.yaml': chartYaml('top'),
      'values.yaml': 'global:\n  leafOn: true\n',
      'requirements.yaml': [
        'dependencies:',
        '  - name: mid',
        '    version: 1.0.0',
        '    repository: ""',
        '    import-values: [{child: imported, parent: fromMid}]',
      ].join('\n'),
      'charts/mid/Chart.yaml': chartYaml('mid'),
      'charts/mid/requirements.yaml': [
        'dependencies:',
        '  - name: leaf',
        '    version: 1.0.0',
        '    repository: ""',
        '    condition: global.leafOn,leaf.enabled',
        '    import-values: [{child: exports.data, parent: imported}]',
      ].join('\n'),
      'charts/mid/charts/leaf/Chart.yaml': chartYaml('leaf'),
      'charts/mid/charts/leaf/values.yaml': 'exports:\n  data:\n    leafValue: 42\n',
    });
  });

  test('imports flow up from the deepest chart first', () => {
    const out = processRequirements(chart);
    expect(names(dep(out, 'mid'))).toEqual(['leaf']);
    expect(valuesOf(dep(out, 'mid'))).toMatchObject({ imported: { leafValue: 42 } });
    expect(valuesOf(out)).toMatchObject({ fromMid: { leafValue: 42 } });
  });

  test('subchart conditions are relative to the subchart, and see the globals pushed down', () => {
    expect(names(dep(processRequirements(chart, 'global:\n  leafOn: false\n'), 'mid'))).toEqual([]);
    // global.leafOn is set, so leaf.enabled is never consulted.
    expect(names(dep(processRequirements(chart, 'mid:\n  leaf:\n    enabled: false\n'), 'mid'))).toEqual(['leaf']);
  });

  test('the next comma-separated path is used when the first is not set', async () => {
    const noGlobal = await chartOf({
      ...Object.fromEntries(chart.files.map((f) => [f.typeUrl, f.value.toString()])),
      'Chart.yaml': chartYaml('top'),
      'charts/mid/Chart.yaml': chartYaml('mid'),
      'charts/mid/requirements.yaml': 'dependencies:\n  - {name: leaf, version: 1.0.0, repository: "", condition: "global.leafOn,leaf.enabled"}\n',
      'charts/mid/charts/leaf/Chart.yaml': chartYaml('leaf'),
    });
    expect(names(dep(processRequirements(noGlobal, 'mid:\n  leaf:\n    enabled: false\n'), 'mid'))).toEqual([]);
    expect(names(dep(processRequirements(noGlobal, 'mid:\n  leaf:\n    enabled: true\n'), 'mid'))).toEqual(['leaf']);
  });
});

describe('refusals', () => {
  test('a dependency listed in requirements.yaml but missing from charts/', async () => {
    const chart = await chartOf({
      'Chart.yaml': chartYaml('app'),
      'requirements.yaml': 'dependencies:\n  - {name: db, version: 1.0.0, repository: ""}\n  - {name: mq, version: 1.0.0, repository: ""}\n',
      'charts/db/Chart.yaml': chartYaml('db'),
    });
    const err = thrown(() => processRequirements(chart));
    expect(err.message).toBe("chart 'app': found in requirements.yaml, but missing in charts/ directory: mq");
    expect(err.details.missing).toEqual(['mq']);
  });

  test('an unreadable requirements.yaml', async () => {
    const chart = await chartOf({ 'Chart.yaml': chartYaml('app'), 'requirements.yaml': 'dependencies: [\n' });
    expect(thrown(() => processRequirements(chart)).message).toMatch(/^requirements.yaml of chart 'app' is not valid YAML/);
  });

  test('a requirements.yaml field of the wrong type', async () => {
    const chart = await chartOf({
      'Chart.yaml': chartYaml('app'),
      'requirements.yaml': 'dependencies:\n  - {name: db, version: 1.0.0, tags: front}\n',
      'charts/db/Chart.yaml': chartYaml('db'),
    });
    expect(thrown(() => processRequirements(chart)).message).toMatch(/dependencies\[0\]: field 'tags' must be a list/);
  });

  test('user values that are not a mapping', async () => {
    const chart = await chartOf({ 'Chart.yaml': chartYaml('app') });
    expect(thrown(() => processRequirements(chart, '- a\n- b\n')).message).toBe('values must be a YAML mapping');
    expect(thrown(() => processRequirements(chart, 'a: [\n')).message).toMatch(/^values is not valid YAML/);
  });

  test('user values that give a subchart a scalar', async () => {
    const chart = await chartOf({
      'Chart.yaml': chartYaml('app'),
      'requirements.yaml': 'dependencies:\n  - {name: db, version: 1.0.0, repository: ""}\n',
      'charts/db/Chart.yaml': chartYaml('db'),
    });
    expect(thrown(() => processRequirements(chart, 'db: 3\n')).message).toBe(
      "values for subchart 'db' must be a mapping, got number",
    );
  });
});

test('a chart without requirements.yaml comes back as an equal copy', async () => {
  const chart = await chartOf({
    'Chart.yaml': chartYaml('app'),
    'values.yaml': 'a: 1\n',
    'charts/db/Chart.yaml': chartYaml('db'),
  });
  const out = processRequirements(chart, 'a: 2\n');
  expect(out).toEqual(chart);
  expect(out).not.toBe(chart);
  expect(out.dependencies[0]).not.toBe(chart.dependencies[0]);
});
