/** A package: what it is, its versions, the OAuth client it would get, and its README (sanitized). */
import { useState } from 'react';
import { defaultVersion } from '../api/versions.js';
import { useApp } from '../app-context.js';
import { ChartIcon } from '../components/chart-icon.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { Readme } from '../components/readme.js';
import { href } from '../routing.js';
import { useAsync } from '../use-async.js';

export function PackagePage({ id }: { id: string }) {
  const { api, session } = useApp();
  const pkg = useAsync(() => api.package(id), [api, id]);
  const [chosen, setChosen] = useState<string>();
  const version = chosen ?? (pkg.value ? defaultVersion(pkg.value) : undefined);
  const detail = useAsync(async () => (version ? api.packageVersion(id, version) : undefined), [api, id, version]);

  if (pkg.problem) return <ProblemAlert problem={pkg.problem} action={`Loading ${id}`} />;
  if (!pkg.value) return <p aria-busy="true">Loading…</p>;
  const p = pkg.value;
  const d = detail.value;
  const chart = d?.chart ?? p.chart;

  return (
    <article>
      <div className="package-head">
        <ChartIcon src={chart.icon} name={chart.name} />
        <div>
          <h1>{chart.name}</h1>
          <p className="lead">{chart.description}</p>
        </div>
      </div>
      <div className="columns">
        <div className="main-column">
          <section>
            <h2>README</h2>
            <ProblemAlert problem={detail.problem} action="Loading this version" />
            {d ? <Readme markdown={d.readme} /> : <p aria-busy="true">Loading…</p>}
          </section>
        </div>
        <aside className="side-column card" aria-label="About this package">
          <label htmlFor="version">Version</label>
          <select id="version" value={version} onChange={(e) => setChosen(e.target.value)}>
            {p.versions.map((v) => (
              <option key={v.version} value={v.version}>
                {v.version}
                {v.prerelease || v.development ? ' (development)' : ''}
              </option>
            ))}
          </select>
          <a className="button primary" href={session ? href.install(id, version) : href.signIn()}>
            {session ? `Install ${chart.name}` : 'Sign in to install'}
          </a>
          <dl>
            <dt>App version</dt>
            <dd>{chart.appVersion || '—'}</dd>
            <dt>Repository</dt>
            <dd>{p.repo}</dd>
            {chart.home && (
              <>
                <dt>Home</dt>
                <dd>
                  <a href={chart.home} rel="noopener noreferrer" target="_blank">
                    {chart.home.replace(/^https?:\/\//, '')}
                  </a>
                </dd>
              </>
            )}
            {chart.keywords.length > 0 && (
              <>
                <dt>Keywords</dt>
                <dd>{chart.keywords.join(', ')}</dd>
              </>
            )}
            {d && Object.keys(d.softwareVersions).length > 0 && (
              <>
                <dt>Software</dt>
                <dd>
                  {Object.entries(d.softwareVersions)
                    .map(([name, v]) => `${name} ${v}`)
                    .join(', ')}
                </dd>
              </>
            )}
            {d?.client && (
              <>
                <dt>Sign-in client</dt>
                <dd>
                  {d.client.provisioned ? 'Gets its own OAuth client' : 'Declares an OAuth client'} ({d.client.scopes.join(', ') || 'no scopes'})
                </dd>
              </>
            )}
          </dl>
        </aside>
      </div>
    </article>
  );
}
