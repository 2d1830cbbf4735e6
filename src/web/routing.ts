/**
 * Routes live in the URL fragment (#/packages/sample/hello): the store serves
 * the SPA at / only, so no page of the UI ever shadows a path of the JSON API.
 */
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'catalog' }
  | { page: 'package'; id: string }
  | { page: 'install'; id: string; version: string | undefined }
  | { page: 'releases' }
  | { page: 'release'; id: string }
  | { page: 'sign-in' }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  if (parts.length === 0) return { page: 'catalog' };
  if (parts[0] === 'sign-in' && parts.length === 1) return { page: 'sign-in' };
  if (parts[0] === 'releases' && parts.length === 1) return { page: 'releases' };
  if (parts[0] === 'releases' && parts.length === 2) return { page: 'release', id: parts[1] ?? '' };
  if (parts[0] === 'packages' && parts.length === 3) return { page: 'package', id: `${parts[1]}/${parts[2]}` };
  if (parts[0] === 'packages' && parts.length === 4 && parts[3] === 'install') {
    return { page: 'install', id: `${parts[1]}/${parts[2]}`, version: params.get('version') ?? undefined };
  }
  return { page: 'not-found', path };
}

export const href = {
  catalog: () => '#/',
  package: (id: string) => `#/packages/${id.split('/').map(encodeURIComponent).join('/')}`,
  install: (id: string, version?: string) =>
    `${href.package(id)}/install${version ? `?version=${encodeURIComponent(version)}` : ''}`,
  releases: () => '#/releases',
  release: (id: string) => `#/releases/${encodeURIComponent(id)}`,
  signIn: () => '#/sign-in',
};

export function navigate(to: string): void {
  location.hash = to.replace(/^#/, '');
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
