/**
 * The chart's values as a form (@rjsf, from form-schema.ts), with the same
 * values as YAML as the other view: everything the form cannot express (keys
 * outside the schema, lists of objects) can still be written there.
 */
import Form from '@rjsf/core';
import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';
import { dump, load } from 'js-yaml';
import { useState, type ReactNode } from 'react';
import { isObject, type FormModel, type Values } from './form-schema.js';
import { serverSideValidator } from './no-eval-validator.js';

interface Props {
  model: FormModel;
  values: Values;
  onChange: (values: Values) => void;
  errors: ErrorSchema | undefined;
  onSubmit: () => void;
  /** The form's buttons (Preview, Install). */
  children: ReactNode;
}

const UI_SCHEMA: UiSchema = { 'ui:submitButtonOptions': { norender: true } };

export function ValuesForm({ model, values, onChange, errors, onSubmit, children }: Props) {
  const [view, setView] = useState<'form' | 'yaml'>('form');
  const [yaml, setYaml] = useState('');
  const [yamlError, setYamlError] = useState<string>();

  const showYaml = () => {
    setYaml(dump(values, { lineWidth: 120 }));
    setYamlError(undefined);
    setView('yaml');
  };
  const editYaml = (text: string) => {
    setYaml(text);
    try {
      const parsed = load(text) ?? {};
      if (!isObject(parsed)) throw new Error('the values must be a mapping (key: value)');
      setYamlError(undefined);
      onChange(parsed);
    } catch (err) {
      setYamlError(err instanceof Error ? err.message.split('\n')[0] : String(err));
    }
  };

  return (
    <section aria-labelledby="values-heading" className="values">
      <div className="values-head">
        <h2 id="values-heading">Values</h2>
        <div role="group" aria-label="Values view" className="segmented">
          <button type="button" aria-pressed={view === 'form'} onClick={() => setView('form')}>
            Form
          </button>
          <button type="button" aria-pressed={view === 'yaml'} onClick={showYaml}>
            YAML
          </button>
        </div>
      </div>
      <p className="muted small">
        Form {model.origin === 'chart schema' ? "from the chart's schema" : "inferred from the chart's values.yaml"}; values it does not
        show are in the YAML view.
      </p>
      {view === 'form' ? (
        <Form
          schema={model.schema as RJSFSchema}
          uiSchema={UI_SCHEMA}
          formData={values}
          validator={serverSideValidator}
          noHtml5Validate
          showErrorList={false}
          extraErrors={errors}
          onChange={(e) => onChange((e.formData ?? {}) as Values)}
          onSubmit={() => onSubmit()}
        >
          {children}
        </Form>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!yamlError) onSubmit();
          }}
        >
          <label htmlFor="values-yaml">Values (YAML)</label>
          <textarea id="values-yaml" className="code" rows={18} spellCheck={false} value={yaml} onChange={(e) => editYaml(e.target.value)} aria-invalid={yamlError !== undefined} aria-describedby="yaml-error" />
          <p id="yaml-error" className="field-error" role={yamlError ? 'alert' : undefined}>
            {yamlError ?? ''}
          </p>
          {children}
        </form>
      )}
    </section>
  );
}
