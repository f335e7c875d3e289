/**
 * Schedule: today, the next 7 days or the last 7, by the clinic's local
 * time, with each visit's status and confirmation; filters by type and
 * state; counts for the last and next 7 days. Refreshes itself every 10 s.
 */
import { useMemo, useState } from 'preact/hooks';
import type { Appointment } from '../api/client';
import { describeError } from '../api/client';
import { Badge, PageTitle, Show, TableScroll } from '../components';
import { useApp } from '../context';
import { useLoad } from '../hooks';
import { type Strings, useStrings } from '../i18n';
import { href } from '../router';
import { formatDay, formatTime, inZone, localDate, zoneLabel } from '../time';

type View = 'today' | 'week' | 'past';
type StateFilter = 'all' | 'confirmed' | 'unconfirmed' | Appointment['status'];

const POLL_MS = 10_000;
const STATUSES: Appointment['status'][] = ['booked', 'cancelled', 'completed', 'no-show'];

interface Loaded {
  today: string;
  items: Appointment[];
}

export function confirmationOf(appointment: Appointment): 'confirmed' | 'unconfirmed' | undefined {
  if (appointment.status !== 'booked') return undefined;
  return appointment.confirmation ? 'confirmed' : 'unconfirmed';
}

export function ConfirmationBadge({ appointment, t }: { appointment: Appointment; t: Strings }) {
  const state = confirmationOf(appointment);
  if (!state) return null;
  return <Badge tone={state === 'confirmed' ? 'good' : 'warn'}>{t.confirmation[state]}</Badge>;
}

export function StatusBadge({ status, t }: { status: Appointment['status']; t: Strings }) {
  const tone =
    status === 'cancelled' || status === 'no-show' ? 'bad' : status === 'completed' ? 'good' : 'plain';
  return <Badge tone={tone}>{t.status[status]}</Badge>;
}

function matches(appointment: Appointment, type: string, state: StateFilter): boolean {
  if (type !== 'all' && appointment.type !== type) return false;
  if (state === 'all') return true;
  if (state === 'confirmed' || state === 'unconfirmed') return confirmationOf(appointment) === state;
  return appointment.status === state;
}

function countRow(items: Appointment[]) {
  return {
    total: items.length,
    confirmed: items.filter((item) => confirmationOf(item) === 'confirmed').length,
    unconfirmed: items.filter((item) => confirmationOf(item) === 'unconfirmed').length,
    cancelled: items.filter((item) => item.status === 'cancelled').length,
    completed: items.filter((item) => item.status === 'completed').length,
    noShow: items.filter((item) => item.status === 'no-show').length,
  };
}

export function SchedulePage() {
  const { api, clinicId, clinic, now } = useApp();
  const { t, language } = useStrings();
  const zone = clinic.timeZone;
  const [view, setView] = useState<View>('today');
  const [type, setType] = useState('all');
  const [state, setState] = useState<StateFilter>('all');

  const [loaded, reload] = useLoad<Loaded>(
    async () => {
      const today = localDate(await now(), zone);
      const from = localDate(await now(), zone, -7);
      const to = localDate(await now(), zone, 7);
      const items: Appointment[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const { data, error, response } = await api.GET('/v1/clinics/{clinicId}/appointments', {
          params: { path: { clinicId }, query: { from, to, limit: 100, ...(cursor ? { cursor } : {}) } },
        });
        if (!data) throw new Error(describeError(error, response.status));
        items.push(...data.items);
        cursor = data.cursor;
        if (!cursor) break;
      }
      return { today, items };
    },
    [clinicId, zone],
    POLL_MS,
  );

  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.schedule.title}</PageTitle>
      <p class="zone-note">{t.common.zoneLabel(zoneLabel(zone))}</p>
      <p>
        <a class="button" href={href({ page: 'book' })}>
          {t.schedule.book}
        </a>
      </p>
      <Show loaded={loaded} retry={reload}>
        {({ today, items }) => (
          <ScheduleView
            today={today}
            items={items}
            zone={zone}
            locale={language}
            t={t}
            view={view}
            setView={setView}
            type={type}
            setType={setType}
            state={state}
            setState={setState}
          />
        )}
      </Show>
    </section>
  );
}

function ScheduleView(props: {
  today: string;
  items: Appointment[];
  zone: string;
  locale: string;
  t: Strings;
  view: View;
  setView: (view: View) => void;
  type: string;
  setType: (type: string) => void;
  state: StateFilter;
  setState: (state: StateFilter) => void;
}) {
  const { today, items, zone, locale, t, view } = props;
  const dayOf = (item: Appointment) => inZone(item.startAt, zone).toISODate() as string;
  const next7 = items.filter((item) => dayOf(item) >= today);
  const last7 = items.filter((item) => dayOf(item) < today);
  const inView =
    view === 'today' ? items.filter((item) => dayOf(item) === today) : view === 'week' ? next7 : last7;
  const types = useMemo(() => [...new Set(items.map((item) => item.type))].sort(), [items]);
  const shown = inView.filter((item) => matches(item, props.type, props.state));
  const days = [...new Set(shown.map(dayOf))];
  const counts = [
    { label: t.schedule.past, ...countRow(last7) },
    { label: t.schedule.week, ...countRow(next7) },
  ];

  return (
    <>
      <div class="toolbar">
        <fieldset class="segmented">
          <legend class="visually-hidden">{t.schedule.view}</legend>
          {(['today', 'week', 'past'] as const).map((option) => (
            <button
              type="button"
              key={option}
              aria-pressed={view === option}
              onClick={() => props.setView(option)}
            >
              {t.schedule[option]}
            </button>
          ))}
        </fieldset>
        <label>
          {t.schedule.filterType}{' '}
          <select value={props.type} onChange={(event) => props.setType(event.currentTarget.value)}>
            <option value="all">{t.common.all}</option>
            {types.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t.schedule.filterState}{' '}
          <select
            value={props.state}
            onChange={(event) => props.setState(event.currentTarget.value as StateFilter)}
          >
            <option value="all">{t.common.all}</option>
            <option value="confirmed">{t.confirmation.confirmed}</option>
            <option value="unconfirmed">{t.confirmation.unconfirmed}</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {t.status[status]}
              </option>
            ))}
          </select>
        </label>
        <span aria-live="polite" class="muted">
          {t.schedule.shown(shown.length)}
        </span>
      </div>

      {days.length === 0 && <p>{t.schedule.none}</p>}
      {days.map((day) => (
        <TableScroll key={day} label={formatDay(day, zone, locale)}>
          <table class="schedule">
            <caption>{formatDay(day, zone, locale)}</caption>
            <thead>
              <tr>
                <th scope="col">{t.schedule.time}</th>
                <th scope="col">{t.schedule.patient}</th>
                <th scope="col">{t.schedule.type}</th>
                <th scope="col">{t.schedule.status}</th>
                <th scope="col">{t.schedule.confirmation}</th>
                <th scope="col">{t.schedule.location}</th>
              </tr>
            </thead>
            <tbody>
              {shown
                .filter((item) => dayOf(item) === day)
                .map((item) => {
                  const time = formatTime(item.startAt, zone, locale);
                  return (
                    <tr key={item.appointmentId}>
                      <td>
                        <a
                          href={href({ page: 'appointment', appointmentId: item.appointmentId })}
                          aria-label={t.schedule.open(time)}
                        >
                          {time}
                        </a>
                      </td>
                      <td>
                        <a href={href({ page: 'patient', patientId: item.patientId })}>{item.patientId}</a>
                      </td>
                      <td>{item.type}</td>
                      <td>
                        <StatusBadge status={item.status} t={t} />
                      </td>
                      <td>
                        <ConfirmationBadge appointment={item} t={t} />
                      </td>
                      <td>{item.location ?? item.videoLink ?? ''}</td>
                    </tr>
                  );
                })}
            </tbody>
          </table>
        </TableScroll>
      ))}

      <TableScroll label={t.schedule.countsCaption(zone)}>
        <table class="counts">
          <caption>{t.schedule.countsCaption(zone)}</caption>
          <thead>
            <tr>
              <th scope="col">{t.schedule.period}</th>
              <th scope="col">{t.schedule.total}</th>
              <th scope="col">{t.confirmation.confirmed}</th>
              <th scope="col">{t.confirmation.unconfirmed}</th>
              <th scope="col">{t.status.cancelled}</th>
              <th scope="col">{t.status.completed}</th>
              <th scope="col">{t.status['no-show']}</th>
            </tr>
          </thead>
          <tbody>
            {counts.map((row) => (
              <tr key={row.label}>
                <th scope="row">{row.label}</th>
                <td>{row.total}</td>
                <td>{row.confirmed}</td>
                <td>{row.unconfirmed}</td>
                <td>{row.cancelled}</td>
                <td>{row.completed}</td>
                <td>{row.noShow}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}
