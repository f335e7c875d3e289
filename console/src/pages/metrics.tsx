/**
 * Metrics, week by week (weeks start on Monday in the clinic's zone): NPS,
 * the confirmation rate, the no-show rate of confirmed and of unconfirmed
 * visits, messages by channel, opt-outs, cases and send lag. Each chart has
 * its numbers in a table beside it. One GET …/metrics for the eight weeks:
 * the server answers its weekly series from the daily counters.
 */
import { DateTime } from 'luxon';
import { describeError, type Metrics } from '../api/client';
import { WeeklyChart } from '../chart';
import { PageTitle, Show, TableScroll } from '../components';
import { useApp } from '../context';
import { useLoad } from '../hooks';
import { type Strings, useStrings } from '../i18n';
import { zoneLabel } from '../time';

const WEEKS = 8;

type Week = Metrics['weeks'][number];

interface Chart {
  id: string;
  title: string;
  unit: 'percent' | 'count' | 'score';
  series: { label: string; values: (number | null)[] }[];
}

const percentOf = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 10);

function formatValue(value: number | null, unit: Chart['unit']): string {
  if (value === null) return '—';
  if (unit === 'percent') return `${value}%`;
  return String(Math.round(value * 10) / 10);
}

export function MetricsPage() {
  const { api, clinicId, clinic, now } = useApp();
  const { t } = useStrings();
  const zone = clinic.timeZone;
  const [loaded, reload] = useLoad<Metrics>(async () => {
    const thisWeek = (await now()).setZone(zone).startOf('week');
    const from = thisWeek.minus({ weeks: WEEKS - 1 }).toISODate() as string;
    const to = thisWeek.plus({ weeks: 1 }).toISODate() as string;
    const { data, error, response } = await api.GET('/v1/clinics/{clinicId}/metrics', {
      params: { path: { clinicId }, query: { from, to } },
    });
    if (!data) throw new Error(describeError(error, response.status));
    return data;
  }, [clinicId, zone]);

  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.metrics.title}</PageTitle>
      <p class="zone-note">{t.metrics.weeksNote(zoneLabel(zone))}</p>
      <Show loaded={loaded} retry={reload}>
        {(metrics) => <MetricsView metrics={metrics} t={t} />}
      </Show>
    </section>
  );
}

function chartsOf(weeks: Week[], t: Strings): Chart[] {
  const each = <T,>(pick: (week: Week) => T) => weeks.map(pick);
  return [
    {
      id: 'nps',
      title: t.metrics.nps,
      unit: 'score',
      series: [
        { label: t.metrics.npsScore, values: each((week) => week.nps.score) },
        { label: t.metrics.responses, values: each((week) => week.nps.responses) },
      ],
    },
    {
      id: 'confirmation',
      title: t.metrics.confirmationRate,
      unit: 'percent',
      series: [
        { label: t.metrics.confirmed, values: each((week) => percentOf(week.visits.confirmationRate)) },
      ],
    },
    {
      id: 'no-show',
      title: t.metrics.noShowRate,
      unit: 'percent',
      series: [
        { label: t.metrics.ofConfirmed, values: each((week) => percentOf(week.visits.noShowRate.confirmed)) },
        {
          label: t.metrics.ofUnconfirmed,
          values: each((week) => percentOf(week.visits.noShowRate.unconfirmed)),
        },
      ],
    },
    {
      id: 'volume',
      title: t.metrics.volume,
      unit: 'count',
      series: [
        { label: 'SMS', values: each((week) => week.messages.byChannel.sms) },
        { label: t.metrics.email, values: each((week) => week.messages.byChannel.email) },
      ],
    },
    {
      id: 'opt-outs',
      title: t.metrics.optOuts,
      unit: 'count',
      series: [
        { label: 'SMS', values: each((week) => week.optOuts.sms) },
        { label: t.metrics.email, values: each((week) => week.optOuts.email) },
      ],
    },
    {
      id: 'cases',
      title: t.metrics.cases,
      unit: 'count',
      series: [
        { label: t.metrics.casesOpened, values: each((week) => week.cases.opened) },
        { label: t.metrics.casesResolved, values: each((week) => week.cases.resolved) },
      ],
    },
    {
      id: 'send-lag',
      title: t.metrics.sendLag,
      unit: 'count',
      series: [
        { label: t.metrics.median, values: each((week) => week.sendLagSeconds.median) },
        { label: 'p99', values: each((week) => week.sendLagSeconds.p99) },
      ],
    },
  ];
}

function MetricsView({ metrics, t }: { metrics: Metrics; t: Strings }) {
  const labels = metrics.weeks.map((week) => week.week);
  const charts = chartsOf(metrics.weeks, t);
  return (
    <>
      <dl class="summary">
        <dt>{t.metrics.npsPeriod}</dt>
        <dd>{formatValue(metrics.nps.score, 'score')}</dd>
        <dt>{t.metrics.responseRate}</dt>
        <dd>{formatValue(percentOf(metrics.nps.responseRate), 'percent')}</dd>
        <dt>{t.metrics.confirmationRate}</dt>
        <dd>{formatValue(percentOf(metrics.visits.confirmationRate), 'percent')}</dd>
        <dt>{t.metrics.casesOverdueNow}</dt>
        <dd>{metrics.cases.overdueNow}</dd>
      </dl>
      {charts.map((chart) => (
        <section key={chart.id} aria-labelledby={`chart-${chart.id}`}>
          <h2 id={`chart-${chart.id}`}>{chart.title}</h2>
          <div class="chart-pair">
            <WeeklyChart
              weekLabel={t.metrics.week}
              title={chart.title}
              weeks={labels}
              series={chart.series}
              percent={chart.unit === 'percent'}
            />
            <TableScroll label={chart.title}>
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
                          {formatValue(one.values[index] ?? null, chart.unit)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </div>
        </section>
      ))}
      <p class="muted">{t.metrics.fromCounters}</p>
    </>
  );
}
