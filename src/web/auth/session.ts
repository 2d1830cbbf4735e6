/**
 * The signed-in session: the access token the API gets as a Bearer, and for
 * OIDC sign-ins the refresh and ID tokens. Kept in sessionStorage (one tab's
 * life, not shared with other tabs or kept after the browser closes).
 */
export interface Session {
  method: 'token' | 'oidc';
  accessToken: string;
  /** Epoch milliseconds; absent when unknown (static tokens). */
  expiresAt?: number;
  refreshToken?: string;
  idToken?: string;
}

const KEY = 'appstore.session';
type Listener = (session: Session | undefined) => void;
const listeners = new Set<Listener>();

export function currentSession(): Session | undefined {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as Session;
    return typeof parsed.accessToken === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener(session);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
