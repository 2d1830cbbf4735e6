/** What every page shares: the API client, the UI settings, the session and who is signed in. */
import { createContext, useContext } from 'react';
import type { ApiClient } from './api/client.js';
import type { Me, UiSettings } from './api/types.js';
import type { Session } from './auth/session.js';

export interface AppState {
  api: ApiClient;
  settings: UiSettings;
  session: Session | undefined;
  me: Me | undefined;
}

export const AppContext = createContext<AppState | undefined>(undefined);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useApp outside the app');
  return state;
}
