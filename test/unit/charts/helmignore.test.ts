import { HelmIgnore, loadChartFiles } from '../../../src/charts/index.js';
import { compileGlob } from '../../../src/charts/glob.js';
import { AppStoreError } from '../../../src/domain/errors.js';

describe('.helmignore rules match as Helm 2 matches them', () => {
  // [rule, path, is a directory, ignored]
  const cases: Array<[string, string, boolean, boolean]> = [
    ['helm.txt', 'helm.txt', false, true],
    ['helm.*', 'helm.txt', false, true],
    ['helm.*', 'rudder.txt', false, false],
    ['*.txt', 'tiller.txt', false, true],
    ['*.txt', 'cargo/a.txt', false, true], // no slash: basename at any depth
    ['cargo/*.txt', 'cargo/a.txt', false, true],
    ['cargo/*.txt', 'mast/a.txt', false, false],
    ['cargo/*.txt', 'deep/cargo/a.txt', false, false], // with a slash: the whole path
    ['*.txt', 'cargo', true, false],
    ['ru[c-e]?er.txt', 'rudder.txt', false, true],
    ['ru[^c-e]?er.txt', 'rudder.txt', false, false],
    ['\\*.txt', '*.txt', false, true],
    ['\\*.txt', 'a.txt', false, false],
    ['*', 'a/b', false, true], // basename "b"
    ['a*', 'ab/c', false, false], // '*' never crosses '/' (basename "c")
    ['templates/.?*', 'templates/.dotfile', false, true],
    ['.*', '.', true, false], // "." is never ignored
    ['.*', '.joonix', false, true],
    ['.*', 'helm.txt', false, false],
    ['cargo/', 'cargo', true, true],
    ['cargo/', 'cargo', false, false], // trailing slash: directories only
    ['cargo/', 'mast', true, false],
    ['/a.txt', 'a.txt', false, true], // leading slash: from the root only
    ['/a.txt', 'cargo/a.txt', false, false],
    ['/cargo/a.txt', 'cargo/a.txt', false, true],
    // Helm's negation: everything NOT matching a '!' rule is ignored.
    ['!helm.txt', 'helm.txt', false, false],
    ['!helm.txt', 'tiller.txt', false, true],
    ['!*.txt', 'cargo', true, true],
    ['!cargo/', 'mast', true, true],
    ['!cargo/', 'cargo/a.txt', false, true],
    ['# comment', 'helm.txt', false, false],
    ['   helm.txt   ', 'helm.txt', false, true],
  ];

  test.each(cases)('rule %j on %j (dir: %j) → ignored: %j', (rule, path, isDir, ignored) => {
    expect(HelmIgnore.parse(rule).ignores(path, isDir)).toBe(ignored);
  });

  test('rules are tried in order and the first positive match wins', () => {
    const rules = HelmIgnore.parse('*.txt\n!keep.txt\n');
    // keep.txt matches *.txt first: a later '!' cannot re-include it.
    expect(rules.ignores('keep.txt', false)).toBe(true);
    // other.yaml matches no positive rule, and does not match !keep.txt.
    expect(rules.ignores('other.yaml', false)).toBe(true);
  });

  test.each([
    ['**/*.txt', /line 1: double-star \(\*\*\) syntax is not supported/],
    ['ok\n[abc', /line 2: invalid pattern '\[abc'/],
    ['a\\', /line 1: invalid pattern/],
  ])('%j is refused', (text, message) => {
    let err: unknown;
    try {
      HelmIgnore.parse(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppStoreError);
    expect((err as AppStoreError).message).toMatch(message);
  });
});

describe('Go filepath.Match syntax', () => {
  test.each([
    ['[]a]', 'bad'],
    ['[-a]', 'bad'],
    ['[a-]', 'bad'],
    ['[^]', 'bad'],
  ])('%j is a bad pattern', (pattern) => {
    expect(() => compileGlob(pattern)).toThrow(/bad glob pattern/);
  });

  test.each([
    ['[\\]a]', ']', true],
    ['[a-c]', 'b', true],
    ['[c-a]', 'b', false], // a reversed range is legal and matches nothing
    ['a?c', 'a/c', false],
    ['a[/]c', 'a/c', true], // classes may match the separator
    ['é?', 'éü', true], // '?' is one character, not one byte
    ['a.c', 'abc', false], // '.' is literal
    ['(a|b)', '(a|b)', true],
  ])('%j on %j → %j', (pattern, name, matches) => {
    expect(compileGlob(pattern).test(name)).toBe(matches);
  });
});

describe('loading a chart directory applies .helmignore like helm does', () => {
  const file = (path: string, content = 'x') => ({ path, data: Buffer.from(content) });
  const files = [
    file('Chart.yaml', 'apiVersion: v1\nname: web\nversion: 1.0.0\n'),
    file('.helmignore', '# editor junk\n*.bak\n.git/\nsecrets/\n/TODO\n'),
    file('values.yaml', 'a: 1\n'),
    file('values.yaml.bak'),
    file('TODO'),
    file('docs/TODO'),
    file('.git/config'),
    file('.git/objects/ab/cdef'),
    file('secrets/key.pem'),
    file('templates/deploy.yaml'),
    file('templates/.swp-deploy.yaml'),
    file('templates/old.yaml.bak'),
    file('charts/sub/Chart.yaml', 'apiVersion: v1\nname: sub\nversion: 1.0.0\n'),
    file('charts/sub/notes.bak'),
    file('charts/sub/templates/.hidden'),
    file('charts/sub/templates/svc.yaml'),
  ];

  test('ignored files and whole ignored directories are dropped; .helmignore itself is kept', async () => {
    const chart = await loadChartFiles(files);
    expect(chart.files.map((f) => f.typeUrl)).toEqual(['.helmignore', 'docs/TODO']);
    expect(chart.templates.map((t) => t.name)).toEqual(['templates/deploy.yaml']);
    const sub = chart.dependencies[0];
    // The top-level rules apply inside subcharts too; the default rule is anchored at the top.
    expect(sub?.files.map((f) => f.typeUrl)).toEqual([]);
    expect(sub?.templates.map((t) => t.name)).toEqual(['templates/.hidden', 'templates/svc.yaml']);
  });

  test('without a .helmignore, the default still drops dotfiles in templates/', async () => {
    const chart = await loadChartFiles(files.filter((f) => f.path !== '.helmignore'));
    expect(chart.templates.map((t) => t.name)).toEqual(['templates/deploy.yaml', 'templates/old.yaml.bak']);
    expect(chart.files.map((f) => f.typeUrl)).toContain('values.yaml.bak');
  });

  test('helmignore: false keeps everything, as for a subchart folder inside an archive', async () => {
    const chart = await loadChartFiles(files, { helmignore: false });
    expect(chart.templates.map((t) => t.name)).toEqual([
      'templates/deploy.yaml',
      'templates/.swp-deploy.yaml',
      'templates/old.yaml.bak',
    ]);
    expect(chart.files).toHaveLength(7);
  });

  test('a .helmignore with an unsupported rule fails the load', async () => {
    const bad = files.map((f) => (f.path === '.helmignore' ? file('.helmignore', 'docs/**\n') : f));
    await expect(loadChartFiles(bad)).rejects.toThrow(/\.helmignore line 1: double-star/);
  });
});
