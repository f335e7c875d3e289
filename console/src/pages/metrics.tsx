/**
 * Metrics, week by week (weeks start on Monday in the clinic's zone): the
 * confirmation rate, the no-show rate of confirmed and of unconfirmed visits,
 * messages by channel, opt-outs and send lag. Each chart has its numbers in a
 * table beside it. From GET …/metrics (one request a week) and the
 * appointment list (confirmations).
 */
import { DateTime } from 'luxon';
import { type Appointment, describeError, type Metrics } from '../api/client';
import { WeeklyChart } from '../chart';
import { PageTitle, Show } from '../components';
import { useApp } from '../context';
import { useLoad } from '../hooks';
import { type Strings, useStrings } from '../i18n';
import { inZone, zoneLabel } from '../time';

const WEEKS = 8;

interface Week {
  from: string;
  metrics: Metrics;
  appointments: Appointment[];
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
}

function percentText(value: number | null): string {
  return value === null ? '—' : `${value}%`;
}

export function MetricsPage() {
  const { api, clinicId, clinic, now } = useApp();
  const { t } = useStrings();
  const zone = clinic.timeZone;
  const [loaded, reload] = useLoad<Week[]>(async () => {
    const thisWeek = (await now()).setZone(zone).startOf('week');
    const starts = Array.from({ length: WEEKS }, (_, index) =>
      thisWeek.minus({ weeks: WEEKS - 1 - index }),
    ).map((start) => start.toISODate() as string);
    const end = thisWeek.plus({ weeks: 1 }).toISODate() as string;
    const appointments: Appointment[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 40; page++) {
      const { data, error, response } = await api.GET('/v1/clinics/{clinicId}/appointments', {
        params: {
          path: { clinicId },
          query: { from: starts[0] as string, to: end, limit: 100, ...(cursor ? { cursor } : {}) },
        },
      });
      if (!data) throw new Error(describeError(error, response.status));
      appointments.push(...data.items);
      cursor = data.cursor;
      if (!cursor) break;
    }
    return Promise.all(
      starts.map(async (from, index) => {
        const to = starts[index + 1] ?? end;
        const { data, error, response } = await api.GET('/v1/clinics/{clinicId}/metrics', {
          params: { path: { clinicId }, query: { from, to } },
        });
        if (!data) throw new Error(describeError(error, response.status));
        const inWeek = appointments.filter((item) => {
          const day = inZone(item.startAt, zone).toISODate() as string;
          return day >= from && day < to;
        });
        return { from, metrics: data, appointments: inWeek };
      }),
    );
  }, [clinicId, zone]);

  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.metrics.title}</PageTitle>
      <p class="zone-note">{t.metrics.weeksNote(zoneLabel(zone))}</p>
      <Show loaded={loaded} retry={reload}>
        {(weeks) => <MetricsView weeks={weeks} t={t} />}
      </Show>
    </section>
  );
}

function MetricsView({ weeks, t }: { weeks: Week[]; t: Strings }) {
  const labels = weeks.map((week) => week.from);
  const confirmation = weeks.map((week) => {
    const booked = week.appointments.filter((item) => item.status !== 'cancelled');
    return rate(booked.filter((item) => item.confirmation).length, booked.length);
  });
  const noShow = (confirmed: boolean) =>
    weeks.map((week) => {
      const outcome = week.appointments.filter(
        (item) =>
          (item.status === 'completed' || item.status === 'no-show') &&
          Boolean(item.confirmation) === confirmed,
      );
      return rate(outcome.filter((item) => item.status === 'no-show').length, outcome.length);
    });
  const charts: {
    id: string;
    title: string;
    percent: boolean;
    series: { label: string; values: (number | null)[] }[];
  }[] = [
    {
      id: 'confirmation',
      title: t.metrics.confirmationRate,
      percent: true,
      series: [{ label: t.metrics.confirmed, values: confirmation }],
    },
    {
      id: 'no-show',
      title: t.metrics.noShowRate,
      percent: true,
      series: [
        { label: t.metrics.ofConfirmed, values: noShow(true) },
        { label: t.metrics.ofUnconfirmed, values: noShow(false) },
      ],
    },
    {
      id: 'volume',
      title: t.metrics.volume,
      percent: false,
      series: [
        { label: 'SMS', values: weeks.map((week) => week.metrics.messages.byChannel.sms) },
        { label: t.metrics.email, values: weeks.map((week) => week.metrics.messages.byChannel.email) },
      ],
    },
    {
      id: 'opt-outs',
      title: t.metrics.optOuts,
      percent: false,
      series: [
        { label: 'SMS', values: weeks.map((week) => week.metrics.optOuts.sms) },
        { label: t.metrics.email, values: weeks.map((week) => week.metrics.optOuts.email) },
      ],
    },
    {
      id: 'send-lag',
      title: t.metrics.sendLag,
      percent: false,
      series: [
        { label: t.metrics.median, values: weeks.map((week) => week.metrics.sendLagSeconds.median) },
        { label: 'p99', values: weeks.map((week) => week.metrics.sendLagSeconds.p99) },
      ],
    },
  ];
  const format = (value: number | null, percent: boolean) =>
    percent ? percentText(value) : value === null ? '—' : String(Math.round(value * 10) / 10);
  return (
    <>
      {charts.map((chart) => (
        <section key={chart.id} aria-labelledby={`chart-${chart.id}`}>
          <h2 id={`chart-${chart.id}`}>{chart.title}</h2>
          <div class="chart-pair">
            <WeeklyChart
              weekLabel={t.metrics.week}
              title={chart.title}
              weeks={labels}
              series={chart.series}
              percent={chart.percent}
            />
            <table>
              <caption class="visually-hidden">{chart.title}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.metrics.week}</th>
                  {chart.series.map((one) => (
                    <th scope="col" class="num" key={one.label}>
                      {one.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {labels.map((label, index) => (
                  <tr key={label}>
                    <th scope="row">{DateTime.fromISO(label).toFormat('d LLL')}</th>
                    {chart.series.map((one) => (
                      <td class="num" key={one.label}>
                        {format(one.values[index] ?? null, chart.percent)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
      <p class="muted">{t.metrics.npsPending}</p>
    </>
  );
}
