import type { Chart } from '../../../gen/hapi/chart/chart.js';
import { Metadata } from '../../../gen/hapi/chart/metadata.js';
import { compileValuesSchema, readValuesSchema, validateChartValues } from '../../../src/charts/index.js';
import { AppStoreError } from '../../../src/domain/errors.js';

const file = (typeUrl: string, text: string) => ({ typeUrl, value: Buffer.from(text) });
const chart = (name: string, raw: string, schema: object | string | undefined, dependencies: Chart[] = []): Chart => ({
  metadata: Metadata.fromPartial({ name, version: '1.0.0', apiVersion: 'v1' }),
  templates: [],
  dependencies,
  values: { raw, values: {} },
  files: schema === undefined ? [] : [file('values.schema.json', typeof schema === 'string' ? schema : JSON.stringify(schema))],
});
const failure = (fn: () => unknown): AppStoreError => {
  try {
    fn();
  } catch (err) {
    return AppStoreError.from(err);
  }
  throw new Error('expected a failure');
};

const strings = { type: 'object', properties: { message: { type: 'string' }, port: { type: 'integer' } } };

describe('values are validated as the chart renders them, as Helm validates them', () => {
  test('a null that deletes a typed default is not a wrong type: the default is gone, nothing is left to check', () => {
    expect(() => validateChartValues(chart('hello', 'message: hi\n', strings), { message: null }, 'sample/hello 1.0.0')).not.toThrow();
  });

  test('each subchart\'s values meet its own schema; failing fields are named from the top', () => {
    const db = chart('db', 'port: 5432\n', strings);
    const app = chart('app', '', { type: 'object', properties: { title: { type: 'string' } } }, [db]);
    const err = failure(() => validateChartValues(app, { title: 1, db: { port: 'x' } }, 'sample/app 1.0.0'));
    expect(err.code).toBe('Unprocessable');
    expect(err.details.fields).toEqual([
      { path: 'title', message: 'must be string' },
      { path: 'db.port', message: 'must be integer' },
    ]);
    expect(err.message).toMatch(/^values do not match the values\.schema\.json of sample\/app 1\.0\.0: title: must be string; db\.port: must be integer$/);
  });

  test('a broken values.schema.json is worded alike wherever it is read: in the catalog and at install', () => {
    for (const text of ['{not json', '[1]', '{"type": "nonsense"}']) {
      const broken = chart('x', '', text);
      const atInstall = failure(() => validateChartValues(broken, {}, 'x 1.0.0'));
      const inCatalog = failure(() => {
        readValuesSchema(broken.files, 'x 1.0.0');
        compileValuesSchema(broken.files, 'x 1.0.0');
      });
      expect(atInstall.code).toBe('Unprocessable');
      expect(atInstall.message).toBe(inCatalog.message);
      expect(atInstall.message).toMatch(/^values\.schema\.json of x 1\.0\.0 is not /);
    }
  });
});
