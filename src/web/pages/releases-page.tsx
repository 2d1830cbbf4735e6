/**
 * My releases: those the user owns or shares through adminGroups, with their
 * status, refreshed every few seconds while the page is visible.
 */
import type { Release, ReleaseStatus } from '../api/types.js';
import { useApp } from '../app-context.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { StatusBadge } from '../components/status-badge.js';
import { href } from '../routing.js';
import { useAsync } from '../use-async.js';

const POLL_MS = 3000;

interface Row { release: Release; status: ReleaseStatus | undefined }

export function ReleasesPage() {
  const { api, session, me } = useApp();
  const rows = useAsync(
    async (): Promise<Row[]> => {
      const releases = await api.releases();
      return Promise.all(releases.map(async (release) => ({ release, status: await api.status(release.id).catch(() => undefined) })));
    },
    [api, session?.accessToken],
    POLL_MS,
  );

  if (!session) {
    return (
      <p>
        <a href={href.signIn()}>Sign in</a> to see your releases.
      </p>
    );
  }
  return (
    <section aria-labelledby="releases-heading">
      <h1 id="releases-heading">My releases</h1>
      <ProblemAlert problem={rows.problem} action="Loading your releases" />
      {rows.value?.length === 0 && (
        <p>
          No releases yet. <a href={href.catalog()}>Find an application to install.</a>
        </p>
      )}
      {rows.value && rows.value.length > 0 && (
        <div className="table-wrap" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Release</th>
                <th scope="col">Application</th>
                <th scope="col">Namespace</th>
                <th scope="col">Status</th>
                <th scope="col">Ready</th>
              </tr>
            </thead>
            <tbody>
              {rows.value.map(({ release, status }) => (
                <tr key={release.id}>
                  <td>
                    <a href={href.release(release.id)}>{release.id}</a>
                    {release.owner !== me?.id && <span className="muted small"> shared by {release.owner}</span>}
                  </td>
                  <td>
                    {release.application} {release.version}
                  </td>
                  <td>{release.namespace}</td>
                  <td>
                    <StatusBadge status={status?.status ?? 'UNKNOWN'} />
                  </td>
                  <td>{readySummary(status)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** "1/1" for a release with one Deployment; the workloads' counts, joined. */
export function readySummary(status: ReleaseStatus | undefined): string {
  const counts = status?.resources.map((r) => r.ready).filter(Boolean) ?? [];
  return counts.length > 0 ? counts.join(', ') : '—';
}
