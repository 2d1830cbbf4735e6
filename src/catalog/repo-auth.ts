import type { RepoConfig } from './repo-config.js';

/**
 * The Authorization header for a request to `url` on behalf of `repo`.
 *
 * Sent only to the repository's own origin (scheme, host and port): an
 * index may point its archives anywhere (a CDN, another repository), and a
 * repository's credentials must not leak to hosts it names. fetch itself drops
 * the header when a redirect leaves the origin.
 */
export function authHeaders(repo: RepoConfig, url: string): Record<string, string> {
  const { auth } = repo;
  if (!auth || new URL(url).origin !== new URL(repo.url).origin) return {};
  if (auth.kind === 'bearer') return { authorization: `Bearer ${auth.token}` };
  const basic = Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
  return { authorization: `Basic ${basic}` };
}
