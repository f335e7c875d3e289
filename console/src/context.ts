import type { DateTime } from 'luxon';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api, Clinic } from './api/client';
import type { Session } from './auth';

export interface AppState {
  api: Api;
  session: Session;
  clinicId: string;
  clinic: Clinic;
  /** The system's time: local mode's simulated clock, else the browser's. */
  now: () => Promise<DateTime>;
  reloadClinic: () => void;
}

export const AppContext = createContext<AppState | undefined>(undefined);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useApp outside the signed-in app');
  return state;
}
