/** The signed-in shell: header (clinic switcher, role, language), navigation, the current page. */
import { DateTime } from 'luxon';
import { useMemo, useState } from 'preact/hooks';
import { type Api, createApi, describeError } from './api/client';
import { isAdmin, type Session, signOut } from './auth';
import { Lazy, Show } from './components';
import type { ConsoleConfig } from './config';
import { AppContext, type AppState } from './context';
import { useLoad } from './hooks';
import { LANGUAGES, type Language, useStrings } from './i18n';
import { AppointmentPage } from './pages/appointment';
import { BookPage } from './pages/book';
import { PatientPage } from './pages/patient';
import { SchedulePage } from './pages/schedule';
import { href, type Route, useRoute } from './router';

const CLINIC_KEY = 'console.clinic';

const loadMetrics = () => import('./pages/metrics').then((module) => module.MetricsPage);
const loadSettings = () => import('./pages/settings').then((module) => module.SettingsPage);
const loadInbox = () => import('./pages/inbox').then((module) => module.InboxPage);
const loadCases = () => import('./pages/cases').then((module) => module.CasesPage);
const loadBroadcasts = () => import('./pages/broadcasts').then((module) => module.BroadcastsPage);

function pageOf(route: Route) {
  switch (route.page) {
    case 'appointment':
      return <AppointmentPage appointmentId={route.appointmentId} />;
    case 'book':
      return <BookPage />;
    case 'patient':
      return <PatientPage patientId={route.patientId} />;
    case 'metrics':
      return <Lazy load={loadMetrics} />;
    case 'settings':
      return <Lazy load={loadSettings} />;
    case 'inbox':
      return <Lazy load={loadInbox} />;
    case 'cases':
      return <Lazy load={loadCases} props={route.caseId ? { caseId: route.caseId } : {}} />;
    case 'broadcasts':
      return <Lazy load={loadBroadcasts} />;
    default:
      return <SchedulePage />;
  }
}

export function App({
  config,
  session,
  onSignOut,
  setLanguage,
}: {
  config: ConsoleConfig;
  session: Session;
  onSignOut: () => void;
  setLanguage: (language: Language) => void;
}) {
  const { t, language } = useStrings();
  const route = useRoute();
  const [clinicId, setClinicId] = useState(() => {
    const stored = localStorage.getItem(CLINIC_KEY);
    return stored && session.clinics.includes(stored) ? stored : (session.clinics[0] as string);
  });
  const api: Api = useMemo(
    () => createApi(config.apiUrl, () => session.token, onSignOut),
    [config.apiUrl, session.token, onSignOut],
  );
  const now = useMemo(() => {
    const auth = config.auth;
    if (auth.mode !== 'local') return async () => DateTime.utc();
    return async () => {
      const response = await fetch(auth.clockUrl);
      const { now: at } = (await response.json()) as { now: string };
      return DateTime.fromISO(at, { zone: 'utc' });
    };
  }, [config.auth]);
  const [clinic, reloadClinic] = useLoad(async () => {
    const { data, error, response } = await api.GET('/v1/clinics/{clinicId}', {
      params: { path: { clinicId } },
    });
    if (!data) throw new Error(describeError(error, response.status));
    return data;
  }, [api, clinicId]);

  const chooseClinic = (id: string) => {
    localStorage.setItem(CLINIC_KEY, id);
    setClinicId(id);
  };
  const role = isAdmin(session) ? 'clinic-admin' : 'staff';
  const nav: [Route['page'], string][] = [
    ['schedule', t.nav.schedule],
    ['inbox', t.nav.inbox],
    ['cases', t.nav.cases],
    ['broadcasts', t.nav.broadcasts],
    ['metrics', t.nav.metrics],
    ['settings', t.nav.settings],
  ];
  const current =
    route.page === 'appointment' || route.page === 'book' || route.page === 'patient'
      ? 'schedule'
      : route.page;

  return (
    <>
      <a class="skip" href="#main">
        {t.skipToContent}
      </a>
      <header class="top">
        <span class="brand">{t.appName}</span>
        <nav aria-label={t.nav.label}>
          <ul>
            {nav.map(([page, label]) => (
              <li key={page}>
                <a href={href({ page } as Route)} aria-current={current === page ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          {session.clinics.length > 1 ? (
            <label>
              {t.header.clinic}{' '}
              <select value={clinicId} onChange={(event) => chooseClinic(event.currentTarget.value)}>
                {session.clinics.map((id) => (
                  <option key={id} value={id}>
                    {id}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span>
              {t.header.clinic}: <strong>{clinic.state === 'ready' ? clinic.value.name : clinicId}</strong>
            </span>
          )}
          <span>
            {t.header.role}: <strong data-testid="role">{t.roles[role]}</strong>
          </span>
          <label>
            {t.header.language}{' '}
            <select value={language} onChange={(event) => setLanguage(event.currentTarget.value as Language)}>
              {Object.entries(LANGUAGES).map(([code, name]) => (
                <option key={code} value={code}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            onClick={() => {
              signOut();
              onSignOut();
            }}
          >
            {t.header.signOut}
          </button>
        </div>
      </header>
      <main id="main">
        <Show loaded={clinic} retry={reloadClinic}>
          {(value) => {
            const state: AppState = { api, session, clinicId, clinic: value, now, reloadClinic };
            return (
              <AppContext.Provider value={state} key={`${clinicId}:${location.hash}`}>
                {pageOf(route)}
              </AppContext.Provider>
            );
          }}
        </Show>
      </main>
    </>
  );
}
