/** Hash routes (#/schedule, #/appointments/a-1): static hosting needs no rewrite rules. */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'schedule' }
  | { page: 'appointment'; appointmentId: string }
  | { page: 'book' }
  | { page: 'patient'; patientId: string }
  | { page: 'inbox' }
  | { page: 'cases'; caseId?: string }
  | { page: 'broadcasts' }
  | { page: 'metrics' }
  | { page: 'settings' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('?')[0]?.split('/').map(decodeURIComponent) ?? [];
  const [first, second] = parts;
  if (first === 'appointments' && second === 'new') return { page: 'book' };
  if (first === 'appointments' && second) return { page: 'appointment', appointmentId: second };
  if (first === 'patients' && second) return { page: 'patient', patientId: second };
  if (first === 'inbox') return { page: 'inbox' };
  if (first === 'cases') return second ? { page: 'cases', caseId: second } : { page: 'cases' };
  if (first === 'broadcasts') return { page: 'broadcasts' };
  if (first === 'metrics') return { page: 'metrics' };
  if (first === 'settings') return { page: 'settings' };
  return { page: 'schedule' };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'appointment':
      return `#/appointments/${encodeURIComponent(route.appointmentId)}`;
    case 'book':
      return '#/appointments/new';
    case 'patient':
      return `#/patients/${encodeURIComponent(route.patientId)}`;
    case 'cases':
      return route.caseId ? `#/cases/${encodeURIComponent(route.caseId)}` : '#/cases';
    default:
      return `#/${route.page}`;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
