/**
 * The web UI's entry: reads /ui/config.json, finishes an OIDC sign-in when the
 * provider sent the browser back here, then renders the app.
 */
import { createRoot } from 'react-dom/client';
import type { UiSettings } from './api/types.js';
import { App } from './app.js';
import { completeSignIn } from './auth/oidc.js';
import './styles.css';

async function start(): Promise<void> {
  const root = createRoot(document.getElementById('root') as HTMLElement);
  const res = await fetch('/ui/config.json');
  const settings = (await res.json()) as UiSettings;
  let signInError: string | undefined;
  if (settings.oidc) {
    try {
      const returnTo = await completeSignIn(settings.oidc);
      if (returnTo !== undefined) location.hash = returnTo;
    } catch (err) {
      signInError = err instanceof Error ? err.message : String(err);
    }
  }
  root.render(<App settings={settings} signInError={signInError} />);
}

void start();
