import { describeStandards, readFormSchema, readSoftwareVersions } from '../../../src/charts/index.js';
import { AppStoreError } from '../../../src/domain/errors.js';

const file = (typeUrl: string, text: string) => ({ typeUrl, value: Buffer.from(text) });

describe('readFormSchema', () => {
  const schemaYaml = [
    'type: object',
    'properties:',
    '  ingress: {type: object, properties: {host: {type: string}}}',
    '  appstore_generated_data: {type: object}',
    'required: [ingress, appstore_generated_data]',
  ].join('\n');

  test('schema.yaml as JSON, without appstore_generated_data (the store sets it)', () => {
    expect(readFormSchema([file('schema.yaml', schemaYaml)], 'x 1.0.0')).toEqual({
      type: 'object',
      properties: { ingress: { type: 'object', properties: { host: { type: 'string' } } } },
      required: ['ingress'],
    });
  });

  test('values.schema.json when there is no schema.yaml; schema.yaml first when there are both; nothing without either', () => {
    const json = file('values.schema.json', '{"type": "object", "properties": {"a": {"type": "string"}}}');
    expect(readFormSchema([json], 'x')).toEqual({ type: 'object', properties: { a: { type: 'string' } } });
    expect(readFormSchema([json, file('schema.yaml', schemaYaml)], 'x')?.required).toEqual(['ingress']);
    expect(readFormSchema([file('values.yaml', 'a: 1')], 'x')).toBeUndefined();
  });

  test('a schema.yaml that is not a YAML mapping is a 422 naming the file', () => {
    for (const text of ['- a', 'type: [unclosed']) {
      const err = AppStoreError.from((() => { try { readFormSchema([file('schema.yaml', text)], 'x 1.0.0'); } catch (e) { return e; } })());
      expect(err.code).toBe('Unprocessable');
      expect(err.message).toMatch(/^schema\.yaml of x 1\.0\.0 is not/);
    }
  });
});

describe('readSoftwareVersions', () => {
  test('packageVersions as text; nothing without the file', () => {
    const text = '{"packageVersions": {"pkg-r-version": "4.1.3", "pkg-cuda-version": 11.4, "odd": {"x": 1}}}';
    expect(readSoftwareVersions([file('package_versions.json', text)], 'x')).toEqual({ 'pkg-r-version': '4.1.3', 'pkg-cuda-version': '11.4' });
    expect(readSoftwareVersions([], 'x')).toEqual({});
  });

  test('a file that is not JSON is a 422 naming it', () => {
    expect(() => readSoftwareVersions([file('package_versions.json', '{')], 'x 1.0.0')).toThrow(/package_versions\.json of x 1\.0\.0 is not valid JSON/);
  });
});

test('standards: defaultMount is known, anything else is shown as unknown', () => {
  expect(describeStandards(['defaultMount', 'fancyNew'])).toEqual([
    { name: 'defaultMount', known: true, description: expect.stringContaining('persistentStorage') },
    { name: 'fancyNew', known: false, description: 'not a standard this store knows' },
  ]);
});
