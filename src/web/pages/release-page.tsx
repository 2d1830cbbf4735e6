/**
 * One release: live status and resources with their health, notes, history
 * with each revision's values, upgrade to another version and roll back to a
 * revision (each after showing the values and rendered-manifest diffs of its
 * dry run), and delete after a confirmation that names the release.
 */
import { Fragment, useState } from 'react';
import { problemOf, type ApiProblem } from '../api/problem.js';
import { useApp } from '../app-context.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { StatusBadge } from '../components/status-badge.js';
import { defaultVersion } from '../api/versions.js';
import { href, navigate } from '../routing.js';
import { useAsync } from '../use-async.js';
import type { ChangePreview } from '../api/types.js';
import { ChangeDialog, valuesYaml } from './change-dialog.js';
import { DeleteDialog } from './delete-dialog.js';

/** A change shown before it is made: its dry run's preview, and what makes it. */
interface Review {
  readonly action: string;
  readonly title: string;
  readonly confirmLabel: string;
  readonly preview: ChangePreview;
  readonly run: () => Promise<unknown>;
}

const POLL_MS = 3000;

export function ReleasePage({ id }: { id: string }) {
  const { api } = useApp();
  const release = useAsync(() => api.release(id), [api, id], POLL_MS);
  const status = useAsync(() => api.status(id), [api, id], POLL_MS);
  const history = useAsync(() => api.history(id), [api, id], POLL_MS);
  const application = release.value?.application;
  const pkg = useAsync(async () => (application ? api.package(application) : undefined), [api, application]);
  const [target, setTarget] = useState('');
  const [revision, setRevision] = useState('');
  const [problem, setProblem] = useState<{ action: string; problem: ApiProblem }>();
  const [busy, setBusy] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const [review, setReview] = useState<Review>();
  /** The revisions whose values are shown. */
  const [shown, setShown] = useState<ReadonlySet<number>>(new Set());
  const toggleValues = (revision: number) =>
    setShown((now) => {
      const next = new Set(now);
      if (!next.delete(revision)) next.add(revision);
      return next;
    });

  /** Asks the store's dry run what the change would do, and shows it; nothing is changed yet. */
  const previewThen = async (action: string, preview: () => Promise<ChangePreview>, rest: Omit<Review, 'action' | 'preview'>) => {
    setBusy(action);
    setProblem(undefined);
    try {
      setReview({ action, preview: await preview(), ...rest });
    } catch (err) {
      setProblem({ action: `Preview of ${action.toLowerCase()}`, problem: problemOf(err) });
    } finally {
      setBusy(undefined);
    }
  };

  const act = async (action: string, run: () => Promise<unknown>) => {
    setBusy(action);
    setProblem(undefined);
    try {
      await run();
      release.reload();
      status.reload();
      history.reload();
    } catch (err) {
      setProblem({ action, problem: problemOf(err) });
    } finally {
      setBusy(undefined);
    }
  };

  if (release.problem && !release.value) return <ProblemAlert problem={release.problem} action={`Loading release ${id}`} />;
  const r = release.value;
  if (!r) return <p aria-busy="true">Loading…</p>;
  const s = status.value;
  const versions = pkg.value?.versions.filter((v) => v.version !== r.version) ?? [];
  const upgradeTo = target || versions[0]?.version || '';
  const revisions = history.value ?? [];
  const current = revisions[0]?.revision;
  const rollbackTo = revision || String(revisions.find((h) => h.revision !== current)?.revision ?? '');
  // Newest first in the catalog: a version listed before the release's own is newer.
  const all = pkg.value?.versions ?? [];
  const at = (v: string | undefined) => all.findIndex((x) => x.version === v);
  const newest = pkg.value ? defaultVersion(pkg.value) : undefined;
  const newer = newest && at(newest) >= 0 && (at(r.version) < 0 || at(newest) < at(r.version)) ? newest : undefined;

  return (
    <article>
      <p className="crumbs">
        <a href={href.releases()}>My releases</a> / {r.id}
      </p>
      <h1>{r.id}</h1>
      <p className="lead">
        {r.application} {r.version} in namespace {r.namespace}
        {newer && <span className="badge badge-busy update">update available: {newer}</span>}
      </p>
      <ProblemAlert problem={problem?.problem} action={problem?.action} />
      <div className="columns">
        <div className="main-column">
          <section className="card">
            <h2>Status</h2>
            <p>
              <span aria-live="polite">
                <StatusBadge status={s?.status ?? 'UNKNOWN'} label="Status" />
              </span>
              {s?.lastDeployed && <span className="muted small"> last deployed {s.lastDeployed} UTC</span>}
            </p>
            {status.problem && <ProblemAlert problem={status.problem} action="Reading the status" />}
            {s && s.resources.length > 0 && (
              <div className="table-wrap" tabIndex={0}>
                <table>
                  <caption>Resources</caption>
                  <thead>
                    <tr>
                      <th scope="col">Kind</th>
                      <th scope="col">Name</th>
                      <th scope="col">Health</th>
                      <th scope="col">Ready</th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.resources.map((res) => (
                      <tr key={`${res.kind}/${res.name}`}>
                        <td>{res.kind}</td>
                        <td>{res.name}</td>
                        <td>{res.health}</td>
                        <td>{res.ready || '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          {s?.notes && (
            <section className="card" aria-labelledby="notes-heading">
              <h2 id="notes-heading">Notes</h2>
              <pre className="code" tabIndex={0}>{s.notes}</pre>
            </section>
          )}
          <section className="card" aria-labelledby="history-heading">
            <h2 id="history-heading">History</h2>
            <div className="table-wrap" tabIndex={0}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Revision</th>
                    <th scope="col">Version</th>
                    <th scope="col">Status</th>
                    <th scope="col">Updated</th>
                    <th scope="col">Description</th>
                    <th scope="col">Values</th>
                  </tr>
                </thead>
                <tbody>
                  {revisions.map((h) => (
                    <Fragment key={h.revision}>
                      <tr>
                        <td>{h.revision}</td>
                        <td>{h.version}</td>
                        <td>{h.status}</td>
                        <td className="when">{h.updated.replace('T', ' ').replace(/\.\d+/, '').replace(/Z$/, ' UTC')}</td>
                        <td>{h.description}</td>
                        <td>
                          <button
                            type="button"
                            className="link"
                            aria-expanded={shown.has(h.revision)}
                            aria-controls={`revision-${h.revision}-values`}
                            aria-label={`Values of revision ${h.revision}`}
                            onClick={() => toggleValues(h.revision)}
                          >
                            Values
                          </button>
                        </td>
                      </tr>
                      {shown.has(h.revision) && (
                        <tr className="values-row">
                          <td colSpan={6}>
                            <pre className="code" id={`revision-${h.revision}-values`} tabIndex={0} aria-label={`Values of revision ${h.revision}`}>
                              {valuesYaml(h.values ?? {}) || '# the chart’s defaults'}
                            </pre>
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </div>
        <aside className="side-column" aria-label="Change this release">
          <div className="card">
            <h2>Upgrade</h2>
            <label htmlFor="upgrade-version">To version</label>
            <select id="upgrade-version" value={upgradeTo} onChange={(e) => setTarget(e.target.value)} disabled={versions.length === 0}>
              {versions.map((v) => (
                <option key={v.version}>{v.version}</option>
              ))}
            </select>
            <button type="button" disabled={!upgradeTo || busy !== undefined} onClick={() =>
                void previewThen('Upgrade', () => api.previewUpgrade(r.id, { version: upgradeTo }), {
                  title: `Upgrade ${r.id} to ${upgradeTo}?`,
                  confirmLabel: `Upgrade to ${upgradeTo}`,
                  run: () => api.upgrade(r.id, { version: upgradeTo }),
                })
              }
            >
              Upgrade
            </button>
          </div>
          <div className="card">
            <h2>Roll back</h2>
            <label htmlFor="rollback-revision">To revision</label>
            <select id="rollback-revision" value={rollbackTo} onChange={(e) => setRevision(e.target.value)} disabled={revisions.length < 2}>
              {revisions
                .filter((h) => h.revision !== current)
                .map((h) => (
                  <option key={h.revision} value={h.revision}>
                    {h.revision} ({h.version})
                  </option>
                ))}
            </select>
            <button type="button" disabled={!rollbackTo || busy !== undefined} onClick={() =>
                void previewThen('Roll back', () => api.previewRollback(r.id, Number(rollbackTo)), {
                  title: `Roll ${r.id} back to revision ${rollbackTo}?`,
                  confirmLabel: `Roll back to revision ${rollbackTo}`,
                  run: () => api.rollback(r.id, Number(rollbackTo)),
                })
              }
            >
              Roll back
            </button>
          </div>
          <div className="card">
            <h2>Delete</h2>
            <p className="muted small">Removes the application and its history.</p>
            <button type="button" className="danger" disabled={busy !== undefined} onClick={() => setConfirming(true)}>
              Delete
            </button>
          </div>
          <div className="card">
            <h2>Shared with</h2>
            <p>{r.adminGroups.length > 0 ? r.adminGroups.join(', ') : 'Only its owner'}</p>
            <p className="muted small">Owner: {r.owner}</p>
          </div>
        </aside>
      </div>
      {review && (
        <ChangeDialog
          title={review.title}
          preview={review.preview}
          confirmLabel={review.confirmLabel}
          busy={busy !== undefined}
          onCancel={() => setReview(undefined)}
          onConfirm={() =>
            void act(review.action, async () => {
              try {
                await review.run();
              } finally {
                // Closed either way: a failure shows on the page, under the dialog no more.
                setReview(undefined);
              }
            })
          }
        />
      )}
      {confirming && (
        <DeleteDialog
          releaseId={r.id}
          onCancel={() => setConfirming(false)}
          onConfirm={() =>
            void act('Delete', async () => {
              await api.remove(r.id);
              setConfirming(false);
              navigate(href.releases());
            })
          }
        />
      )}
    </article>
  );
}
