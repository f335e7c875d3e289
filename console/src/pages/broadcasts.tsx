/**
 * Broadcasts: compose a message to a set of patients (a closure notice to
 * the patients booked on some days, a health update to those who agreed to
 * updates, or a list of patients) with a live SMS part count per language
 * from the same domain code the server checks with; preview who gets it
 * and what it costs (nothing written); schedule it; follow its progress
 * (refreshed every 5 s) and cancel it at any point.
 */
import { useMemo, useState } from 'preact/hooks';
import { checkBroadcastText, FAN_OUT_LEAD_MINUTES } from '../../../shared/domain/broadcasts';
import { PRIORITIES, type Priority } from '../../../shared/domain/constants';
import type { Clinic as DomainClinic } from '../../../shared/domain/model';
import {
  type ApiError,
  type Broadcast,
  type BroadcastInput,
  type BroadcastPreview,
  describeError,
} from '../api/client';
import { Badge, Choice, ConfirmDialog, PageTitle, Show, TableScroll } from '../components';
import { useApp } from '../context';
import { useLoad } from '../hooks';
import { reasonText, type Strings, useStrings } from '../i18n';
import { formatDateTime, localDate, nextWholeHour, utcOf, zoneLabel } from '../time';

const POLL_MS = 5_000;
type AudienceKind = 'appointmentsOn' | 'topic' | 'patientIds';

/** Field issues of a 400, by path (`text.en`, `audience.appointmentsOn.to`, `sendAt`); the rest under ''. */
function issuesByField(error: unknown, status: number): Record<string, string[]> {
  const inner = (error as Partial<ApiError> | undefined)?.error;
  const byField: Record<string, string[]> = {};
  const add = (path: string, message: string) => {
    byField[path] = [...(byField[path] ?? []), message];
  };
  if (!inner?.issues?.length) add('', describeError(error, status));
  else for (const issue of inner.issues) add(issue.path, issue.message);
  return byField;
}

function FieldIssues({ issues, id }: { issues: string[] | undefined; id: string }) {
  if (!issues?.length) return null;
  return (
    <p class="field-error" id={id} role="alert">
      {issues.join('; ')}
    </p>
  );
}

function audienceLabel(broadcast: Broadcast, t: Strings): string {
  const audience = broadcast.audience;
  if (audience.appointmentsOn)
    return t.broadcasts.onDates(audience.appointmentsOn.from, audience.appointmentsOn.to);
  if (audience.topic) return t.broadcasts.topicUpdates;
  return t.broadcasts.listed(audience.patientIds?.length ?? 0);
}

export function BroadcastsPage() {
  const { api, clinicId, clinic } = useApp();
  const { t, language } = useStrings();
  const zone = clinic.timeZone;
  const [notice, setNotice] = useState('');
  const [failure, setFailure] = useState('');
  // A cancel stops messages to many patients: it is asked first.
  const [confirming, setConfirming] = useState<Broadcast | undefined>();
  const [list, reloadList] = useLoad(
    async () => {
      const { data, error, response } = await api.GET('/v1/clinics/{clinicId}/broadcasts', {
        params: { path: { clinicId }, query: { limit: 100 } },
      });
      if (!data) throw new Error(describeError(error, response.status));
      return data.items;
    },
    [clinicId],
    POLL_MS,
  );

  const cancel = async (broadcast: Broadcast) => {
    setNotice('');
    setFailure('');
    const { data, error, response } = await api.POST(
      '/v1/clinics/{clinicId}/broadcasts/{broadcastId}/cancel',
      {
        params: { path: { clinicId, broadcastId: broadcast.broadcastId } },
      },
    );
    if (!data) {
      setFailure(describeError(error, response.status));
      return;
    }
    setNotice(t.broadcasts.cancelled(broadcast.broadcastId));
    reloadList();
  };

  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.broadcasts.title}</PageTitle>
      <Compose
        onScheduled={(id) => {
          setNotice(t.broadcasts.scheduled(id));
          reloadList();
        }}
      />
      <h2 id="broadcast-list">{t.broadcasts.listTitle}</h2>
      <p class="zone-note">{t.common.zoneLabel(zoneLabel(zone))}</p>
      <p role="status">{notice}</p>
      {failure && (
        <p role="alert" class="error">
          {failure}
        </p>
      )}
      {confirming && (
        <ConfirmDialog
          title={t.broadcasts.cancelTitle(confirming.broadcastId)}
          confirmLabel={t.broadcasts.cancelConfirm}
          keepLabel={t.broadcasts.cancelKeep}
          onKeep={() => setConfirming(undefined)}
          onConfirm={() => {
            setConfirming(undefined);
            void cancel(confirming);
          }}
        >
          <p>{t.broadcasts.cancelEffect(audienceLabel(confirming, t), confirming.sent)}</p>
        </ConfirmDialog>
      )}
      <Show loaded={list} retry={reloadList}>
        {(items) =>
          items.length === 0 ? (
            <p>{t.broadcasts.none}</p>
          ) : (
            <TableScroll label={t.broadcasts.listTitle}>
              <table aria-labelledby="broadcast-list">
                <thead>
                  <tr>
                    <th scope="col">{t.broadcasts.id}</th>
                    <th scope="col">{t.broadcasts.sendAt(zone)}</th>
                    <th scope="col">{t.broadcasts.audience}</th>
                    <th scope="col">{t.broadcasts.status}</th>
                    <th scope="col" class="num">
                      {t.broadcasts.planned}
                    </th>
                    <th scope="col" class="num">
                      {t.broadcasts.sent}
                    </th>
                    <th scope="col" class="num">
                      {t.broadcasts.failed}
                    </th>
                    <th scope="col">{t.broadcasts.skipped}</th>
                    <th scope="col">{t.broadcasts.action}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((broadcast) => {
                    const skipped = Object.entries(broadcast.skipped);
                    return (
                      <tr key={broadcast.broadcastId}>
                        <th scope="row">{broadcast.broadcastId}</th>
                        <td>{formatDateTime(broadcast.sendAt, zone, language)}</td>
                        <td>{audienceLabel(broadcast, t)}</td>
                        <td>
                          <Badge
                            tone={
                              broadcast.status === 'cancelled'
                                ? 'bad'
                                : broadcast.status === 'planned'
                                  ? 'good'
                                  : 'plain'
                            }
                          >
                            {t.broadcasts.statuses[broadcast.status]}
                          </Badge>
                        </td>
                        <td class="num">{broadcast.planned}</td>
                        <td class="num">{broadcast.sent}</td>
                        <td class="num">{broadcast.failed}</td>
                        <td>
                          {skipped.length === 0
                            ? '—'
                            : skipped
                                .map(([reason, count]) => `${reasonText(reason, t)}: ${count}`)
                                .join(', ')}
                        </td>
                        <td>
                          {broadcast.status !== 'cancelled' && (
                            <button
                              type="button"
                              class="danger"
                              aria-label={t.broadcasts.cancelOf(broadcast.broadcastId)}
                              onClick={() => setConfirming(broadcast)}
                            >
                              {t.broadcasts.cancel}
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </TableScroll>
          )
        }
      </Show>
    </section>
  );
}

function Compose({ onScheduled }: { onScheduled: (id: string) => void }) {
  const { api, clinicId, clinic, now } = useApp();
  const { t, language } = useStrings();
  const zone = clinic.timeZone;
  const languages = clinic.policy.languages;
  const [broadcastId, setBroadcastId] = useState(() => `b-${Date.now().toString(36)}`);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [kind, setKind] = useState<AudienceKind>('appointmentsOn');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [patientIds, setPatientIds] = useState('');
  const [date, setDate] = useState('');
  const [time, setTime] = useState('');
  const [priority, setPriority] = useState<Priority>('medium');
  const [issues, setIssues] = useState<Record<string, string[]>>({});
  const [preview, setPreview] = useState<BroadcastPreview | undefined>();
  const [busy, setBusy] = useState(false);

  // The first visit: the audience's dates default to the clinic's today, the send time to the next whole
  // hour that leaves the fan-out its lead (a fixed 09:00 was usually past, and refused).
  useLoad(async () => {
    const at = await now();
    const today = localDate(at, zone);
    const send = nextWholeHour(at, zone, FAN_OUT_LEAD_MINUTES);
    setFrom((value) => value || today);
    setTo((value) => value || today);
    setDate((value) => value || send.date);
    setTime((value) => value || send.time);
    return today;
  }, [zone]);

  const written = Object.fromEntries(Object.entries(texts).filter(([, text]) => text.trim() !== ''));
  const checked = useMemo(
    () => checkBroadcastText(written, clinic as unknown as DomainClinic),
    [JSON.stringify(written), clinic],
  );
  const budget = (clinic.policy as DomainClinic['policy']).segmentBudget.other;

  const body = (): BroadcastInput | undefined => {
    const sendAt = utcOf(date, time, zone);
    const local: Record<string, string[]> = {};
    if (!sendAt) local.sendAt = [t.broadcasts.badTime];
    if (Object.keys(written).length === 0) local.text = [t.broadcasts.noText];
    if (Object.keys(local).length > 0 || !sendAt) {
      setIssues(local);
      return undefined;
    }
    const audience =
      kind === 'appointmentsOn'
        ? { appointmentsOn: { from, to } }
        : kind === 'topic'
          ? { topic: 'updates' as const }
          : { patientIds: patientIds.split(/[\s,]+/).filter(Boolean) };
    return { text: written, audience, sendAt, priority };
  };

  const runPreview = async () => {
    const input = body();
    if (!input) return;
    setBusy(true);
    const { data, error, response } = await api.POST('/v1/clinics/{clinicId}/broadcasts/preview', {
      params: { path: { clinicId } },
      body: input,
    });
    setBusy(false);
    if (!data) {
      setIssues(issuesByField(error, response.status));
      setPreview(undefined);
      return;
    }
    setIssues({});
    setPreview(data);
  };

  const schedule = async (event: Event) => {
    event.preventDefault();
    const input = body();
    if (!input) return;
    setBusy(true);
    const { data, error, response } = await api.PUT('/v1/clinics/{clinicId}/broadcasts/{broadcastId}', {
      params: { path: { clinicId, broadcastId } },
      body: input,
    });
    setBusy(false);
    if (!data) {
      setIssues(issuesByField(error, response.status));
      return;
    }
    setIssues({});
    setPreview(undefined);
    setTexts({});
    onScheduled(data.broadcastId);
    setBroadcastId(`b-${Date.now().toString(36)}`);
  };

  const described = (field: string) => (issues[field]?.length ? `issue-${field}` : undefined);
  return (
    <form class="panel" aria-labelledby="compose-title" onSubmit={(event) => void schedule(event)}>
      <h2 id="compose-title">{t.broadcasts.compose}</h2>
      <FieldIssues issues={issues['']} id="issue-" />
      <div class="stack">
        <label>
          {t.broadcasts.id}
          <input value={broadcastId} onInput={(event) => setBroadcastId(event.currentTarget.value)} />
        </label>
        <FieldIssues issues={issues.broadcastId} id="issue-broadcastId" />
        <FieldIssues issues={issues.text} id="issue-text" />
        {languages.map((code) => {
          const sample = checked.samples.find((entry) => entry.language === code);
          const own = checked.issues
            .filter((issue) => issue.path === `text.${code}`)
            .map((issue) => issue.message);
          const server = issues[`text.${code}`] ?? [];
          return (
            <div key={code}>
              <label>
                {t.broadcasts.text(code)}
                <textarea
                  rows={3}
                  value={texts[code] ?? ''}
                  aria-describedby={`count-${code}`}
                  aria-invalid={own.length > 0 || server.length > 0}
                  onInput={(event) => {
                    const value = event.currentTarget.value;
                    setTexts((current) => ({ ...current, [code]: value }));
                  }}
                />
              </label>
              <p
                id={`count-${code}`}
                data-testid={`segments-${code}`}
                class={own.length ? 'field-error' : 'muted'}
              >
                {sample
                  ? `${t.broadcasts.parts(sample.segments, sample.encoding)} · ${t.conversation.budget(budget)}`
                  : t.broadcasts.notWritten}
                {own.length > 0 && ` — ${own.join('; ')}`}
              </p>
              <FieldIssues issues={server} id={`issue-text.${code}`} />
            </div>
          );
        })}
        <fieldset class="plain">
          <legend>{t.broadcasts.audience}</legend>
          {(['appointmentsOn', 'topic', 'patientIds'] as const).map((option) => (
            <label class="check" key={option}>
              <input
                type="radio"
                name="audience"
                value={option}
                checked={kind === option}
                onChange={() => setKind(option)}
              />
              {t.broadcasts.audiences[option]}
            </label>
          ))}
          {kind === 'appointmentsOn' && (
            <div class="row">
              <label>
                {t.broadcasts.from}
                <input
                  type="date"
                  value={from}
                  aria-describedby={described('audience.appointmentsOn.from')}
                  onInput={(event) => setFrom(event.currentTarget.value)}
                />
              </label>
              <label>
                {t.broadcasts.to}
                <input
                  type="date"
                  value={to}
                  aria-describedby={described('audience.appointmentsOn.to')}
                  onInput={(event) => setTo(event.currentTarget.value)}
                />
              </label>
            </div>
          )}
          {kind === 'patientIds' && (
            <label>
              {t.broadcasts.patientIds}
              <textarea
                rows={2}
                value={patientIds}
                onInput={(event) => setPatientIds(event.currentTarget.value)}
              />
            </label>
          )}
          {Object.entries(issues)
            .filter(([path]) => path.startsWith('audience'))
            .map(([path, messages]) => (
              <FieldIssues key={path} issues={messages} id={`issue-${path}`} />
            ))}
        </fieldset>
        <div class="row">
          <label>
            {t.broadcasts.sendDate(zone)}
            <input type="date" value={date} onInput={(event) => setDate(event.currentTarget.value)} />
          </label>
          <label>
            {t.broadcasts.sendTime}
            <input
              type="time"
              value={time}
              aria-describedby={described('sendAt')}
              onInput={(event) => setTime(event.currentTarget.value)}
            />
          </label>
          <Choice
            label={t.broadcasts.priority}
            value={priority}
            options={PRIORITIES}
            names={t.inbox.priorities}
            onChange={(value) => value !== 'all' && setPriority(value)}
            describedBy={issues.priority?.length ? 'issue-priority' : undefined}
          />
        </div>
        <FieldIssues issues={issues.sendAt} id="issue-sendAt" />
        <FieldIssues issues={issues.priority} id="issue-priority" />
      </div>
      <div class="actions">
        <button type="button" disabled={busy} onClick={() => void runPreview()}>
          {t.broadcasts.preview}
        </button>{' '}
        <button type="submit" disabled={busy || checked.issues.length > 0}>
          {t.broadcasts.schedule}
        </button>
      </div>
      {preview && <PreviewView preview={preview} t={t} locale={language} />}
    </form>
  );
}

function PreviewView({ preview, t, locale }: { preview: BroadcastPreview; t: Strings; locale: string }) {
  const money = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: 'USD',
    maximumFractionDigits: 4,
  });
  const skipped = Object.entries(preview.skipped);
  return (
    <div data-testid="preview">
      {preview.requiredRole === 'clinic-admin' && (
        <p class="warning" role="note" data-testid="needs-admin">
          {t.broadcasts.needsAdmin(preview.staffMaxRecipients)}
        </p>
      )}
      <TableScroll label={t.broadcasts.previewTitle}>
        <table>
          <caption>{t.broadcasts.previewTitle}</caption>
          <tbody>
            <tr>
              <th scope="row">{t.broadcasts.recipients}</th>
              <td class="num">{preview.recipients.total}</td>
            </tr>
            <tr>
              <th scope="row">SMS</th>
              <td class="num">{preview.recipients.sms}</td>
            </tr>
            <tr>
              <th scope="row">{t.patient.email}</th>
              <td class="num">{preview.recipients.email}</td>
            </tr>
            {skipped.map(([reason, count]) => (
              <tr key={reason}>
                <th scope="row">{t.broadcasts.skippedBecause(reasonText(reason, t))}</th>
                <td class="num">{count}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">{t.broadcasts.smsParts}</th>
              <td class="num">{preview.estimate.smsSegments}</td>
            </tr>
            <tr>
              <th scope="row">{t.broadcasts.cost(money.format(preview.estimate.pricePerSegment))}</th>
              <td class="num" data-testid="cost">
                {money.format(preview.estimate.cost)}
              </td>
            </tr>
          </tbody>
        </table>
      </TableScroll>
      {preview.samples.map((sample) => (
        <div key={sample.language}>
          <p class="muted">{t.broadcasts.sample(sample.language, sample.segments, sample.encoding)}</p>
          <pre class="preview">{sample.text}</pre>
        </div>
      ))}
    </div>
  );
}
