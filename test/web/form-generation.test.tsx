/**
 * The install form's generation (vitest + jsdom): from the chart's schema
 * (values.schema.json), from schema.yaml as the API gives it (formSchema),
 * and inferred from values.yaml; only changed values are sent; a 422's field
 * errors show on their fields.
 */
// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import { fieldErrorSchema } from '../../src/web/forms/field-errors.js';
import { changedValues, formModel, inferSchema } from '../../src/web/forms/form-schema.js';
import { ValuesForm } from '../../src/web/forms/values-form.js';
import type { FormModel, Values } from '../../src/web/forms/form-schema.js';

afterEach(cleanup);

const VALUES_YAML = `
replicaCount: 1
message: "Hello"
enabled: true
ratio: 0.5
image:
  repository: nginx
  tag: "1.25"
hosts:
  - a.example.org
resources: {}
unset: null
appstore_generated_data:
  dataporten: { id: "" }
`;

function renderForm(model: FormModel, errors?: Parameters<typeof ValuesForm>[0]['errors']) {
  let latest: Values = model.defaults;
  const view = render(
    <ValuesForm model={model} values={model.defaults} onChange={(v) => (latest = v)} errors={errors} onSubmit={() => undefined}>
      <button type="submit">Install</button>
    </ValuesForm>,
  );
  return { view, latest: () => latest };
}

describe('from the chart schema (values.schema.json)', () => {
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://example.org/values.schema.json',
    type: 'object',
    additionalProperties: true,
    properties: {
      replicaCount: { type: 'integer', minimum: 0, description: 'Number of pods.' },
      message: { type: 'string', description: 'Greeting.' },
      image: { type: 'object', properties: { pullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent'] } } },
      resources: { type: 'object' },
      appstore_generated_data: { type: 'object', properties: { x: { type: 'string' } } },
    },
  };

  test('renders a labelled field per described value, with descriptions and enums', () => {
    const model = formModel({ formSchema: schema, valuesYaml: VALUES_YAML });
    expect(model.origin).toBe('chart schema');
    renderForm(model);
    expect(screen.getByLabelText('replicaCount')).toHaveProperty('value', '1');
    expect(screen.getByLabelText('message')).toHaveProperty('value', 'Hello');
    expect(screen.getByText('Greeting.')).toBeTruthy();
    expect(screen.getByLabelText('pullPolicy').tagName).toBe('SELECT');
  });

  test('leaves out what a form cannot edit well: open objects, the App Store section, additionalProperties', () => {
    const model = formModel({ formSchema: schema, valuesYaml: VALUES_YAML });
    expect(Object.keys(model.schema.properties as object)).toEqual(['replicaCount', 'message', 'image']);
    expect(model.schema).not.toHaveProperty('additionalProperties');
    expect(model.schema).not.toHaveProperty('$id');
    expect(model.defaults).not.toHaveProperty('appstore_generated_data');
  });

  test('a changed field is sent alone: the release keeps no copy of the defaults', () => {
    const model = formModel({ formSchema: schema, valuesYaml: VALUES_YAML });
    const form = renderForm(model);
    fireEvent.change(screen.getByLabelText('message'), { target: { value: 'Changed' } });
    expect(changedValues(model.defaults, form.latest())).toEqual({ message: 'Changed' });
  });
});

describe('from schema.yaml (the API gives it as formSchema)', () => {
  const fromSchemaYaml = {
    type: 'object',
    properties: {
      ingress: { type: 'object', properties: { host: { type: 'string', description: 'The host name.' } } },
      persistentStorage: {
        type: 'array',
        items: { type: 'object', properties: { existingClaim: { type: 'string' }, readOnly: { type: 'boolean' } } },
      },
    },
  };

  test('nested objects become fieldsets and lists can be added to', () => {
    const model = formModel({ formSchema: fromSchemaYaml, valuesYaml: 'ingress:\n  host: nb.example.org\npersistentStorage: []\n' });
    renderForm(model);
    expect(screen.getByLabelText('host')).toHaveProperty('value', 'nb.example.org');
    expect(screen.getByText('The host name.')).toBeTruthy();
    expect(screen.getByRole('group', { name: 'ingress' })).toBeTruthy();
    expect(screen.getAllByRole('button').some((b) => /add/i.test(b.textContent ?? '') || /add/i.test(b.getAttribute('title') ?? ''))).toBe(true);
  });
});

describe('inferred from values.yaml', () => {
  test('types come from the defaults; nulls and the App Store section are left out', () => {
    const model = formModel({ valuesYaml: VALUES_YAML });
    expect(model.origin).toBe('inferred from values.yaml');
    expect(model.schema).toEqual(
      inferSchema({ replicaCount: 1, message: 'Hello', enabled: true, ratio: 0.5, image: { repository: 'nginx', tag: '1.25' }, hosts: ['a.example.org'], resources: {} }),
    );
    const props = model.schema.properties as Record<string, { type: string }>;
    expect(props.replicaCount?.type).toBe('integer');
    expect(props.ratio?.type).toBe('number');
    expect(props.enabled?.type).toBe('boolean');
    expect(props.hosts?.type).toBe('array');
    expect(props).not.toHaveProperty('unset');
  });

  test('renders inputs for every inferred value', () => {
    renderForm(formModel({ valuesYaml: VALUES_YAML }));
    expect(screen.getByLabelText('replicaCount')).toHaveProperty('type', 'number');
    expect(screen.getByLabelText('enabled')).toHaveProperty('checked', true);
    expect(screen.getByLabelText('tag')).toHaveProperty('value', '1.25');
  });

  test('an empty values.yaml gives an empty form, not a failure', () => {
    expect(formModel({ valuesYaml: '' }).schema).toEqual({ type: 'object', properties: {} });
  });
});

test("a 422's field errors are shown on their fields", () => {
  const model = formModel({ valuesYaml: VALUES_YAML });
  const errors = fieldErrorSchema([
    { path: 'replicaCount', message: 'must be <= 10' },
    { path: 'image.tag', message: 'must match pattern' },
  ]);
  renderForm(model, errors);
  const replicas = screen.getByLabelText('replicaCount').closest('.form-group');
  expect(replicas?.textContent).toContain('must be <= 10');
  expect(screen.getByLabelText('tag').closest('.form-group')?.textContent).toContain('must match pattern');
});

test('the YAML view edits the same values', () => {
  const model = formModel({ valuesYaml: VALUES_YAML });
  const form = renderForm(model);
  fireEvent.click(screen.getByRole('button', { name: 'YAML' }));
  const yaml = screen.getByLabelText('Values (YAML)') as HTMLTextAreaElement;
  expect(yaml.value).toContain('message: Hello');
  fireEvent.change(yaml, { target: { value: yaml.value.replace('message: Hello', 'message: From YAML') } });
  expect(changedValues(model.defaults, form.latest())).toEqual({ message: 'From YAML' });
});
