import type { Chart } from '../../../gen/hapi/chart/chart.js';
import { Metadata } from '../../../gen/hapi/chart/metadata.js';
import { coalesceChart, coalesceTables, newTable, readValues, valueAt } from '../../../src/charts/values.js';
import { dumpYaml, parseYaml } from '../../../src/charts/yaml.js';

const chart = (name: string, raw: string, dependencies: Chart[] = []): Chart => ({
  metadata: Metadata.fromPartial({ name, version: '1.0.0', apiVersion: 'v1' }),
  templates: [],
  dependencies,
  values: { raw, values: {} },
  files: [],
});

describe('coalescing values as Helm does', () => {
  test('the higher level wins for scalars and lists, tables merge, and null deletes', () => {
    const dst = { a: 1, list: [1], t: { x: 1, gone: null }, onlyDst: true, nulled: null };
    const src = { a: 2, list: [2, 3], t: { y: 2, gone: 'default' }, onlySrc: 's', nulled: 'default' };
    expect(coalesceTables(dst, src)).toEqual({ a: 1, list: [1], t: { x: 1, y: 2 }, onlyDst: true, onlySrc: 's' });
    expect(dst.t).toEqual({ x: 1, gone: null });
  });

  test('subchart defaults land under the subchart name, below the parent’s values for it', () => {
    const db = chart('db', 'port: 5432\nuser: admin\n');
    const app = chart('app', 'db:\n  user: app\n', [db]);
    expect(coalesceChart(app, parseYaml('db:\n  port: 6000\n') as Record<string, unknown>)).toEqual({
      db: { port: 6000, user: 'app', global: {} },
    });
  });

  test('globals are pushed down to every subchart, the parent’s winning', () => {
    const leaf = chart('leaf', 'global:\n  region: leaf\n  own: 1\n');
    const mid = chart('mid', '', [leaf]);
    const top = chart('top', 'global:\n  region: eu\n', [mid]);
    const out = coalesceChart(top, newTable());
    expect(out).toEqual({
      global: { region: 'eu' },
      mid: { global: { region: 'eu' }, leaf: { global: { region: 'eu', own: 1 } } },
    });
  });

  test('a __proto__ key is only a key', () => {
    const out = coalesceTables(readValues('__proto__:\n  polluted: true\n', 'v'), newTable());
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a user\'s null deletes the chart\'s default, nested too; a null with no default to delete stays null', () => {
    const app = chart('app', 'message: hi\nservice:\n  type: ClusterIP\n  port: 80\nlist: [1, 2]\n');
    const user = parseYaml('message: null\nservice:\n  port: null\nlist: [3]\nextra: null\n') as Record<string, unknown>;
    expect(coalesceChart(app, user)).toEqual({ service: { type: 'ClusterIP' }, list: [3], extra: null });
    expect(user).toEqual({ message: null, service: { port: null }, list: [3], extra: null });
  });

  test('nulls among a chart\'s own defaults are dropped (Helm 4)', () => {
    const app = chart('app', 'gone: null\nt:\n  gone: null\n  kept: 1\n');
    expect(coalesceChart(app, newTable())).toEqual({ t: { kept: 1 } });
  });

  test('a user\'s null reaches a subchart\'s defaults, even where the parent\'s values.yaml sets the subchart\'s table', () => {
    const db = chart('db', 'port: 5432\nuser: admin\n');
    const app = chart('app', 'db:\n  user: app\n', [db]);
    const out = coalesceChart(app, parseYaml('db:\n  port: null\n  user: null\n') as Record<string, unknown>);
    expect(out).toEqual({ db: { global: {} } });
  });

  test('an upgrade\'s null removes what was set before; where nothing was, it stays to delete the chart\'s default', () => {
    const before = { replicas: 3, image: { tag: '1.0', pullPolicy: 'Always' } };
    const changes = { replicas: null, image: { pullPolicy: null }, ingress: null };
    expect(coalesceTables(changes, before)).toEqual({ image: { tag: '1.0' }, ingress: null });
  });

  test('__proto__, constructor and prototype are kept as keys through every merge, and no prototype changes', () => {
    const user = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}, "nested": {"__proto__": "v"}}') as Record<string, unknown>;
    const app = chart('app', 'nested:\n  other: 1\n');
    const out = coalesceChart(app, user);
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'constructor', 'nested']);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: true });
    expect(Object.keys(out.nested as object).sort()).toEqual(['__proto__', 'other']);
    const merged = coalesceTables(JSON.parse('{"__proto__": {"again": 1}}') as Record<string, unknown>, user);
    expect(Object.getOwnPropertyDescriptor(merged, '__proto__')?.value).toEqual({ polluted: true, again: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged)).toBeNull();
  });

  test('a path value is found only when it is not a table, null included', () => {
    const v = readValues('a:\n  b: false\n  nil: null\n  t: {}\n', 'v');
    expect(valueAt(v, 'a.b')).toEqual({ found: true, value: false });
    expect(valueAt(v, 'a.nil')).toEqual({ found: true, value: null });
    expect(valueAt(v, 'a.t')).toEqual({ found: false });
    expect(valueAt(v, 'a')).toEqual({ found: false });
    expect(valueAt(v, 'a.b.c')).toEqual({ found: false });
  });
});

describe('YAML read and written as go-yaml v2 (Helm, Tiller) reads it', () => {
  test('YAML 1.1 booleans and Go integer prefixes', () => {
    expect(parseYaml('a: yes\nb: Off\nc: y\nd: "yes"\nmode: 0644\nhex: 0x1F\nbin: 0b101\nbig: 1_000\nnine: 09\n')).toEqual({
      a: true,
      b: false,
      c: true,
      d: 'yes',
      mode: 420,
      hex: 31,
      bin: 5,
      big: 1000,
      nine: 9,
    });
  });

  test('even keys: y and n are booleans, so they become the keys "true" and "false"', () => {
    expect(parseYaml('x: 1\ny: 2\nn: 3\n')).toEqual({ x: 1, true: 2, false: 3 });
  });

  test('timestamps stay strings and merge keys work', () => {
    expect(parseYaml('when: 2020-01-01\nbase: &b {x: 1}\nderived:\n  <<: *b\n  z: 2\n')).toEqual({
      when: '2020-01-01',
      base: { x: 1 },
      derived: { x: 1, z: 2 },
    });
  });

  test('strings that Go would read as something else are quoted, and keys are sorted', () => {
    const text = dumpYaml({ z: 'on', a: 'no', m: '0644', n: '12', b: true, i: 420 });
    expect(text).toBe("a: 'no'\nb: true\ni: 420\nm: '0644'\n'n': '12'\nz: 'on'\n");
    expect(parseYaml(text)).toEqual({ z: 'on', a: 'no', m: '0644', n: '12', b: true, i: 420 });
  });
});
