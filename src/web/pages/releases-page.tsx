/**
 * My releases: those the user owns or shares through adminGroups, with their
 * status, refreshed every few seconds while the page is visible.
 */
import type { Release, ReleaseStatus } from '../api/types.js';
import { useApp } from '../app-context.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { StatusBadge } from '../components/status-badge.js';
import { defaultVersion } from '../api/versions.js';
import { href } from '../routing.js';
import { useAsync } from '../use-async.js';

const POLL_MS = 3000;

interface Row { release: Release; status: ReleaseStatus | undefined }

/** The newest installable version of each application the user has releases of (read once, not polled). */
function useNewest(applications: string): Record<string, string> {
  const { api } = useApp();
  const newest = useAsync(async () => {
    const ids = applications ? applications.split(' ') : [];
    const pairs = await Promise.all(ids.map(async (id) => [id, await api.package(id).then(defaultVersion, () => '')] as const));
    return Object.fromEntries(pairs);
  }, [api, applications]);
  return newest.value ?? {};
}

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

  const newest = useNewest([...new Set(rows.value?.map((r) => r.release.application))].sort().join(' '));

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
      <p className="muted small">Yours and those shared with your groups; the status updates every few seconds.</p>
      <ProblemAlert problem={rows.problem} action="Loading your releases" />
      {rows.value?.length === 0 && (
        <p>
          No releases yet. <a href={href.catalog()}>Find an application to install.</a>
        </p>
      )}
      {rows.value && rows.value.length > 0 && (
        <div className="table-wrap card" tabIndex={0}>
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
                    {newest[release.application] && semverAfter(newest[release.application], release.version) && (
                      <span className="badge badge-busy update"> {newest[release.application]} available</span>
                    )}
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

/** Whether a is a newer version than b (numeric parts compared; the catalog orders by semver already). */
function semverAfter(a: string | undefined, b: string): boolean {
  if (!a || a === b) return false;
  const parts = (v: string) => v.split(/[.+-]/).map((p) => Number(p));
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (Number.isNaN(d)) return false;
    if (d !== 0) return d > 0;
  }
  return false;
}

/** "1/1" for a release with one Deployment; the workloads' counts, joined. */
export function readySummary(status: ReleaseStatus | undefined): string {
  const counts = status?.resources.map((r) => r.ready).filter(Boolean) ?? [];
  return counts.length > 0 ? counts.join(', ') : '—';
}
