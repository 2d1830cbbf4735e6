/**
 * Sign in: through the configured OpenID Provider (authorization code + PKCE),
 * and, where the deployment allows it, with an access token pasted in (static
 * development tokens, or any bearer token the store accepts).
 */
import { useState, type FormEvent } from 'react';
import { ApiClient } from '../api/client.js';
import { problemOf, type ApiProblem } from '../api/problem.js';
import { useApp } from '../app-context.js';
import { beginSignIn } from '../auth/oidc.js';
import { saveSession } from '../auth/session.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { href, navigate } from '../routing.js';

export function SignInPage() {
  const { settings, session, me } = useApp();
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<ApiProblem>();
  const [busy, setBusy] = useState(false);

  if (session) {
    return (
      <section className="narrow">
        <h1>Signed in</h1>
        <p>
          You are signed in{me ? ` as ${me.name ?? me.id}` : ''}. <a href={href.catalog()}>Browse the catalog</a> or{' '}
          <a href={href.releases()}>see your releases</a>.
        </p>
      </section>
    );
  }

  const withToken = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      // Checked before it is kept: a wrong token is said here, not on the next page.
      await new ApiClient(() => token.trim(), () => undefined).me();
      saveSession({ method: 'token', accessToken: token.trim() });
      navigate(href.releases());
    } catch (err) {
      setProblem(problemOf(err));
    } finally {
      setBusy(false);
    }
  };

  const withOidc = async () => {
    if (!settings.oidc) return;
    setBusy(true);
    try {
      await beginSignIn(settings.oidc, href.releases());
    } catch (err) {
      setProblem(problemOf(err));
      setBusy(false);
    }
  };

  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <ProblemAlert problem={problem} />
      {settings.oidc && (
        <div className="card">
          <h2>With your organisation account</h2>
          <p className="muted">You are sent to {new URL(settings.oidc.issuer).host} and back.</p>
          <button type="button" className="primary" onClick={() => void withOidc()} disabled={busy}>
            Continue to the identity provider
          </button>
        </div>
      )}
      {settings.tokenSignIn && (
        <form className="card" onSubmit={(e) => void withToken(e)}>
          <h2>With an access token</h2>
          <label htmlFor="token">Access token</label>
          <input id="token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} required />
          <button type="submit" className={settings.oidc ? undefined : 'primary'} disabled={busy || token.trim() === ''}>
            Sign in
          </button>
        </form>
      )}
    </section>
  );
}
