/** The layout (header, navigation, theme, who is signed in) and the page of the current route. */
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { ApiClient } from './api/client.js';
import type { Me, UiSettings } from './api/types.js';
import { AppContext, type AppState } from './app-context.js';
import { renew, signOut } from './auth/oidc.js';
import { currentSession, onSessionChange, saveSession } from './auth/session.js';
import { ThemeToggle } from './components/theme-toggle.js';
import { CatalogPage } from './pages/catalog-page.js';
import { ReleasesPage } from './pages/releases-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { href, useRoute, type Route } from './routing.js';

// The form library and the Markdown renderer load with the pages that need them, not with the catalog.
// The release page loads with its diff and YAML code, which the catalog's first load does without.
const ReleasePage = lazy(() => import('./pages/release-page.js').then((m) => ({ default: m.ReleasePage })));
const InstallPage = lazy(() => import('./pages/install-page.js').then((m) => ({ default: m.InstallPage })));
const PackagePage = lazy(() => import('./pages/package-page.js').then((m) => ({ default: m.PackagePage })));

export function App({ settings, signInError }: { settings: UiSettings; signInError: string | undefined }) {
  const [session, setSession] = useState(currentSession);
  const [me, setMe] = useState<Me>();
  const route = useRoute();
  useEffect(() => onSessionChange(setSession), []);

  const api = useMemo(() => new ApiClient(() => currentSession()?.accessToken, () => saveSession(undefined)), []);

  const token = session?.accessToken;
  useEffect(() => {
    setMe(undefined);
    if (token) api.me().then(setMe, () => setMe(undefined));
  }, [api, token]);

  // Silent renewal: a minute before the access token expires, the refresh token gets a new one.
  useEffect(() => {
    if (!settings.oidc || !session?.refreshToken || !session.expiresAt) return;
    const oidc = settings.oidc;
    const delay = Math.max(5_000, session.expiresAt - Date.now() - 60_000);
    const timer = setTimeout(() => void renew(oidc, session).catch(() => saveSession(undefined)), delay);
    return () => clearTimeout(timer);
  }, [settings.oidc, session]);

  const state: AppState = { api, settings, session, me };
  const title = pageTitle(route);
  useEffect(() => {
    document.title = `${title} – App Store`;
  }, [title]);

  return (
    <AppContext.Provider value={state}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href={href.catalog()}>
          App Store
        </a>
        <nav aria-label="Main">
          <a href={href.catalog()} aria-current={route.page === 'catalog' ? 'page' : undefined}>
            Catalog
          </a>
          {session && (
            <a href={href.releases()} aria-current={route.page === 'releases' ? 'page' : undefined}>
              My releases
            </a>
          )}
        </nav>
        <div className="who">
          <ThemeToggle />
          {session ? (
            <>
              <span className="user" title={me?.groups.join(', ')}>
                {me?.name ?? me?.id ?? '…'}
              </span>
              <button type="button" className="link" onClick={() => void signOut(settings.oidc, session)}>
                Sign out
              </button>
            </>
          ) : (
            route.page !== 'sign-in' && <a href={href.signIn()}>Sign in</a>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {signInError && (
          <div className="alert" role="alert">
            <strong>Sign-in failed</strong>
            <p>{signInError}</p>
          </div>
        )}
        <Suspense fallback={<p aria-busy="true">Loading…</p>}>
          <Page route={route} />
        </Suspense>
      </main>
    </AppContext.Provider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'catalog':
      return <CatalogPage />;
    case 'package':
      return <PackagePage id={route.id} />;
    case 'install':
      return <InstallPage id={route.id} version={route.version} />;
    case 'releases':
      return <ReleasesPage />;
    case 'release':
      return <ReleasePage id={route.id} />;
    case 'sign-in':
      return <SignInPage />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no page here. <a href={href.catalog()}>Back to the catalog</a>
          </p>
        </section>
      );
  }
}

function pageTitle(route: Route): string {
  switch (route.page) {
    case 'catalog':
      return 'Catalog';
    case 'package':
      return route.id;
    case 'install':
      return `Install ${route.id}`;
    case 'releases':
      return 'My releases';
    case 'release':
      return `Release ${route.id}`;
    case 'sign-in':
      return 'Sign in';
    default:
      return 'Not found';
  }
}
