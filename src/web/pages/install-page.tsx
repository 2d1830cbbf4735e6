/**
 * Install: the chart's values as a form, the namespace (GET /namespaces), the
 * groups that share the release (adminGroups, from the user's own groups), a
 * preview (the store's dry run: rendered manifest and notes), then Install.
 * A 422's field errors appear on their fields.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { InstallInput } from '../api/client.js';
import { problemOf, type ApiProblem } from '../api/problem.js';
import type { DryRunResult } from '../api/types.js';
import { useApp } from '../app-context.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { fieldErrorSchema } from '../forms/field-errors.js';
import { changedValues, formModel, mergeValues, type Values } from '../forms/form-schema.js';
import { ValuesForm } from '../forms/values-form.js';
import { href, navigate } from '../routing.js';
import { useAsync } from '../use-async.js';
import { defaultVersion } from '../api/versions.js';

export function InstallPage({ id, version: asked }: { id: string; version: string | undefined }) {
  const { api, me, session } = useApp();
  const pkg = useAsync(() => api.package(id), [api, id]);
  const version = asked ?? (pkg.value ? defaultVersion(pkg.value) : undefined);
  const detail = useAsync(async () => (version ? api.packageVersion(id, version) : undefined), [api, id, version]);
  const namespaces = useAsync(() => api.namespaces(), [api, session?.accessToken]);
  const model = useMemo(() => (detail.value ? formModel(detail.value) : undefined), [detail.value]);

  const [values, setValues] = useState<Values>({});
  const [namespace, setNamespace] = useState('');
  const [groups, setGroups] = useState<string[]>([]);
  const [problem, setProblem] = useState<ApiProblem>();
  const [preview, setPreview] = useState<DryRunResult>();
  const [busy, setBusy] = useState<'preview' | 'install'>();
  const intent = useRef<'preview' | 'install'>('install');

  useEffect(() => {
    if (model) setValues(model.defaults);
  }, [model]);
  useEffect(() => {
    if (!namespace && namespaces.value?.[0]) setNamespace(namespaces.value[0]);
  }, [namespaces.value, namespace]);

  if (!session) {
    return (
      <p>
        <a href={href.signIn()}>Sign in</a> to install applications.
      </p>
    );
  }
  const loadProblem = pkg.problem ?? detail.problem ?? namespaces.problem;
  if (loadProblem) return <ProblemAlert problem={loadProblem} action="Loading the install form" />;
  if (!model || !detail.value || !version) return <p aria-busy="true">Loading…</p>;
  const chartName = detail.value.chart.name;
  const development = Boolean(detail.value.version.prerelease || detail.value.version.development);

  const input = (): InstallInput => ({
    application: id,
    version,
    namespace,
    adminGroups: groups,
    values: changedValues(model.defaults, values),
    ...(development && { development: true }),
  });

  const submit = async () => {
    const action = intent.current;
    setBusy(action);
    setProblem(undefined);
    try {
      if (action === 'preview') {
        setPreview(await api.preview(input()));
      } else {
        const release = await api.install(input());
        navigate(href.release(release.id));
      }
    } catch (err) {
      setProblem(problemOf(err));
      setPreview(undefined);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section>
      <p className="crumbs">
        <a href={href.package(id)}>{chartName}</a> / Install
      </p>
      <h1>
        Install {chartName} {version}
      </h1>
      <div className="card install-where">
        <label htmlFor="namespace">Namespace</label>
        <select id="namespace" value={namespace} onChange={(e) => setNamespace(e.target.value)} required>
          {(namespaces.value ?? []).length === 0 && <option value="">No namespace allows you to deploy</option>}
          {namespaces.value?.map((ns) => (
            <option key={ns}>{ns}</option>
          ))}
        </select>
        <fieldset>
          <legend>Share with groups (adminGroups)</legend>
          {(me?.groups ?? []).length === 0 && <p className="muted small">You belong to no groups.</p>}
          {me?.groups.map((g) => (
            <label key={g} className="check">
              <input
                type="checkbox"
                checked={groups.includes(g)}
                onChange={(e) => setGroups((gs) => (e.target.checked ? [...gs, g] : gs.filter((x) => x !== g)))}
              />{' '}
              {g}
            </label>
          ))}
        </fieldset>
        {development && <p className="muted small">This is a development version: the release is marked development.</p>}
      </div>
      <ProblemAlert problem={problem} action={busy === 'preview' || intent.current === 'preview' ? 'Preview' : 'Install'} />
      <ValuesForm model={model} values={values} onChange={(v) => setValues(mergeValues({}, v))} errors={fieldErrorSchema(problem?.fieldErrors ?? [])} onSubmit={() => void submit()}>
        <div className="actions">
          <button type="submit" onClick={() => (intent.current = 'preview')} disabled={busy !== undefined}>
            {busy === 'preview' ? 'Rendering…' : 'Preview'}
          </button>
          <button type="submit" className="primary" onClick={() => (intent.current = 'install')} disabled={busy !== undefined || !namespace}>
            {busy === 'install' ? 'Installing…' : 'Install'}
          </button>
        </div>
      </ValuesForm>
      {preview && (
        <section aria-labelledby="preview-heading" className="card">
          <h2 id="preview-heading">Preview</h2>
          <h3>Notes</h3>
          <pre className="code" tabIndex={0}>{preview.notes || '(no notes)'}</pre>
          <details>
            <summary>Rendered manifest</summary>
            <pre className="code" tabIndex={0}>{preview.manifest}</pre>
          </details>
        </section>
      )}
    </section>
  );
}
