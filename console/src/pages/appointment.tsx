/**
 * One appointment: its details, the message timeline with every status and
 * reason (each time in the zone the message is planned in and in the
 * clinic's, both named), and the changes staff make: move, cancel, complete,
 * no-show. Every change sends If-Match with the version read; a stale one is
 * shown as "changed by someone else" with both versions side by side.
 * Refreshes every 5 s, so a patient's confirmation appears without a reload.
 */
import { useState } from 'preact/hooks';
import { parseMessageId } from '../../../shared/domain/planning/ids';
import { type Appointment, describeError, type Timeline, type TimelineMessage } from '../api/client';
import { Badge, ConfirmDialog, PageTitle, Show, TableScroll } from '../components';
import { useApp } from '../context';
import { useLoad } from '../hooks';
import { reasonText, type Strings, useStrings } from '../i18n';
import { href } from '../router';
import { formatDateTime, inZone, utcOf, zoneLabel } from '../time';
import { VisitFields, type VisitTimeAndPlace } from '../visit-fields';
import { ConfirmationBadge, StatusBadge } from './schedule';

const POLL_MS = 5_000;
/** About how long local mode's and AWS's planner take to follow a change. */
const PLAN_DELAY_MS = 1_500;

interface Loaded {
  appointment: Appointment;
  etag: string;
  timeline: Timeline;
}

type Action = 'cancel' | 'complete' | 'no-show';
/** Who cancelled (the API's cancel body): only the clinic's cancellations are announced to the patient. */
type CancelledBy = 'clinic' | 'patient';

interface Conflict {
  mine: string;
  theirs: Appointment;
}

/**
 * The schedule version a message was planned for, from its id (`…#1d#v1`): a reminder withdrawn by a move
 * and its replacement differ there, while both carry the move's planVersion.
 */
function scheduleVersion(message: TimelineMessage): number {
  return parseMessageId(message.messageId)?.version ?? message.planVersion;
}

function messageTone(status: TimelineMessage['status']): 'good' | 'warn' | 'bad' | 'plain' {
  if (status === 'sent' || status === 'delivered') return 'good';
  if (status === 'skipped' || status === 'pending' || status === 'queued') return 'plain';
  if (status === 'failed' || status === 'undeliverable' || status === 'unknown') return 'bad';
  return 'warn';
}

export function AppointmentPage({ appointmentId }: { appointmentId: string }) {
  const { api, clinicId, clinic } = useApp();
  const { t, language } = useStrings();
  const [conflict, setConflict] = useState<Conflict | undefined>();
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  // The version the move form was opened on: its save sends that version's If-Match, so a change someone
  // else saves while the form is open (which the page's own refresh shows) is a conflict, not overwritten.
  const [movingFrom, setMovingFrom] = useState<Loaded | undefined>();
  // A cancel texts the patient: it is asked first, with who cancelled (undefined: not asked).
  const [cancelling, setCancelling] = useState<CancelledBy | undefined>();
  const path = { clinicId, appointmentId };

  const [loaded, reload] = useLoad<Loaded>(
    async () => {
      const [one, timeline] = await Promise.all([
        api.GET('/v1/clinics/{clinicId}/appointments/{appointmentId}', { params: { path } }),
        api.GET('/v1/clinics/{clinicId}/appointments/{appointmentId}/messages', { params: { path } }),
      ]);
      if (!one.data) throw new Error(describeError(one.error, one.response.status));
      if (!timeline.data) throw new Error(describeError(timeline.error, timeline.response.status));
      return {
        appointment: one.data,
        etag: one.response.headers.get('etag') ?? `"${one.data.version}"`,
        timeline: timeline.data,
      };
    },
    [clinicId, appointmentId],
    POLL_MS,
  );

  const afterChange = async (
    result: { data?: Appointment; error?: unknown; response: Response },
    done: string,
    mine: string,
  ) => {
    if (result.response.status === 409) {
      const current = await api.GET('/v1/clinics/{clinicId}/appointments/{appointmentId}', {
        params: { path },
      });
      if (current.data) setConflict({ mine, theirs: current.data });
      else setError(describeError(result.error, 409));
      return;
    }
    if (!result.data) {
      setError(describeError(result.error, result.response.status));
      return;
    }
    setError('');
    setConflict(undefined);
    setNotice(done);
    setMovingFrom(undefined);
    reload();
    // The pipeline plans the change's messages a moment later: show them without waiting for the next poll.
    setTimeout(reload, PLAN_DELAY_MS);
  };

  const act = async (action: Action, value: Loaded, cancelledBy: CancelledBy = 'clinic') => {
    setNotice('');
    const params = { path, header: { 'If-Match': value.etag } };
    const result =
      action === 'cancel'
        ? await api.POST('/v1/clinics/{clinicId}/appointments/{appointmentId}/cancel', {
            params,
            body: { cancelledBy },
          })
        : action === 'complete'
          ? await api.POST('/v1/clinics/{clinicId}/appointments/{appointmentId}/complete', {
              params,
              body: {},
            })
          : await api.POST('/v1/clinics/{clinicId}/appointments/{appointmentId}/no-show', {
              params,
              body: {},
            });
    const done =
      action === 'cancel' && cancelledBy === 'patient'
        ? t.appointment.cancelledByPatient
        : t.appointment.done[action];
    await afterChange(result, done, t.appointment.actionLabel[action]);
  };

  const move = async (value: Loaded, form: MoveForm) => {
    setNotice('');
    const startAt = utcOf(form.date, form.time, clinic.timeZone);
    if (!startAt) {
      setError(t.appointment.badTime);
      return;
    }
    const { appointment } = value;
    const body = {
      patientId: appointment.patientId,
      startAt,
      durationMinutes: form.durationMinutes,
      type: appointment.type,
      ...(form.location ? { location: form.location } : {}),
      ...(appointment.videoLink ? { videoLink: appointment.videoLink } : {}),
    };
    const result = await api.PUT('/v1/clinics/{clinicId}/appointments/{appointmentId}', {
      params: { path, header: { 'If-Match': value.etag } },
      body,
    });
    await afterChange(
      result,
      t.appointment.moved,
      `${formatDateTime(startAt, clinic.timeZone, language)} · ${form.durationMinutes} min · ${form.location}`,
    );
  };

  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.appointment.title(appointmentId)}</PageTitle>
      <p>
        <a href={href({ page: 'schedule' })}>{t.appointment.back}</a>
      </p>
      <Show loaded={loaded} retry={reload}>
        {(value) => (
          <>
            {notice && (
              <p class="notice" role="status">
                {notice}
              </p>
            )}
            {error && (
              <p class="error" role="alert">
                {error}
              </p>
            )}
            {conflict && (
              <ConflictPanel
                conflict={conflict}
                zone={clinic.timeZone}
                t={t}
                locale={language}
                onReload={() => {
                  setConflict(undefined);
                  setMovingFrom(undefined);
                  reload();
                }}
              />
            )}
            <Details value={value} t={t} locale={language} clinicZone={clinic.timeZone} />
            {value.appointment.status === 'booked' && (
              <div class="row actions">
                <button
                  type="button"
                  aria-expanded={movingFrom !== undefined}
                  onClick={() => setMovingFrom(movingFrom ? undefined : value)}
                >
                  {t.appointment.actionLabel.move}
                </button>
                <button type="button" class="danger" onClick={() => setCancelling('clinic')}>
                  {t.appointment.actionLabel.cancel}
                </button>
                <button type="button" onClick={() => void act('complete', value)}>
                  {t.appointment.actionLabel.complete}
                </button>
                <button type="button" onClick={() => void act('no-show', value)}>
                  {t.appointment.actionLabel['no-show']}
                </button>
              </div>
            )}
            {cancelling && value.appointment.status === 'booked' && (
              <ConfirmDialog
                title={t.appointment.cancelTitle}
                confirmLabel={t.appointment.cancelConfirm}
                keepLabel={t.appointment.cancelKeep}
                onKeep={() => setCancelling(undefined)}
                onConfirm={() => {
                  const by = cancelling;
                  setCancelling(undefined);
                  void act('cancel', value, by);
                }}
              >
                <fieldset class="plain">
                  <legend>{t.appointment.cancelledBy}</legend>
                  {(['clinic', 'patient'] as const).map((by) => (
                    <label key={by} class="check">
                      <input
                        type="radio"
                        name="cancelled-by"
                        value={by}
                        checked={cancelling === by}
                        onChange={() => setCancelling(by)}
                      />{' '}
                      {t.appointment.cancelledByChoice[by]}
                    </label>
                  ))}
                </fieldset>
                <p>{t.appointment.cancelEffect[cancelling]}</p>
              </ConfirmDialog>
            )}
            {movingFrom && value.appointment.status === 'booked' && (
              <MoveFormView
                appointment={movingFrom.appointment}
                zone={clinic.timeZone}
                t={t}
                onSubmit={(form) => void move(movingFrom, form)}
              />
            )}
            <TimelineTable timeline={value.timeline} t={t} locale={language} />
          </>
        )}
      </Show>
    </section>
  );
}

function Details({
  value,
  t,
  locale,
  clinicZone,
}: {
  value: Loaded;
  t: Strings;
  locale: string;
  clinicZone: string;
}) {
  const { appointment, timeline } = value;
  const patientZone = timeline.timeZone;
  return (
    <dl class="facts">
      <dt>{t.appointment.patient}</dt>
      <dd>
        <a href={href({ page: 'patient', patientId: appointment.patientId })}>{appointment.patientId}</a>
      </dd>
      <dt>{t.appointment.start}</dt>
      <dd>
        <span data-testid="start-clinic">
          {formatDateTime(appointment.startAt, clinicZone, locale)} ·{' '}
          {zoneLabel(clinicZone, appointment.startAt)}
        </span>
        {patientZone !== clinicZone && (
          <>
            <br />
            {formatDateTime(appointment.startAt, patientZone, locale)} ·{' '}
            {zoneLabel(patientZone, appointment.startAt)}, {t.appointment.patientZone}
          </>
        )}
      </dd>
      <dt>{t.appointment.duration}</dt>
      <dd>{t.appointment.minutes(appointment.durationMinutes)}</dd>
      <dt>{t.appointment.type}</dt>
      <dd>{appointment.type}</dd>
      <dt>{t.appointment.place}</dt>
      <dd>{appointment.location ?? appointment.videoLink ?? '—'}</dd>
      <dt>{t.appointment.status}</dt>
      <dd>
        <StatusBadge status={appointment.status} t={t} />{' '}
        <ConfirmationBadge appointment={appointment} t={t} />
        {appointment.confirmation && (
          <span class="muted">
            {' '}
            {t.appointment.confirmedAt(formatDateTime(appointment.confirmation.at, clinicZone, locale))}
          </span>
        )}
      </dd>
      <dt>{t.appointment.version}</dt>
      <dd>{appointment.version}</dd>
    </dl>
  );
}

type MoveForm = VisitTimeAndPlace;

function MoveFormView({
  appointment,
  zone,
  t,
  onSubmit,
}: {
  appointment: Appointment;
  zone: string;
  t: Strings;
  onSubmit: (form: MoveForm) => void;
}) {
  const start = inZone(appointment.startAt, zone);
  const [form, setForm] = useState<MoveForm>({
    date: start.toISODate() as string,
    time: start.toFormat('HH:mm'),
    durationMinutes: appointment.durationMinutes,
    location: appointment.location ?? '',
  });
  return (
    <form
      class="stack panel"
      aria-label={t.appointment.moveTitle}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(form);
      }}
    >
      <h2>{t.appointment.moveTitle}</h2>
      <VisitFields form={form} setForm={setForm} zone={zone} t={t} />
      <div>
        <button type="submit" class="primary">
          {t.appointment.saveMove}
        </button>
      </div>
    </form>
  );
}

function ConflictPanel({
  conflict,
  zone,
  t,
  locale,
  onReload,
}: {
  conflict: Conflict;
  zone: string;
  t: Strings;
  locale: string;
  onReload: () => void;
}) {
  const { theirs } = conflict;
  return (
    <div class="conflict" role="alert">
      <p>
        <strong>{t.appointment.conflict}</strong>
      </p>
      <TableScroll label={t.appointment.conflictVersions}>
        <table>
          <caption>{t.appointment.conflictVersions}</caption>
          <tbody>
            <tr>
              <th scope="row">{t.appointment.yourChange}</th>
              <td>{conflict.mine}</td>
            </tr>
            <tr>
              <th scope="row">{t.appointment.theirVersion(theirs.version)}</th>
              <td>
                {formatDateTime(theirs.startAt, zone, locale)} ·{' '}
                {t.appointment.minutes(theirs.durationMinutes)} · {theirs.location ?? ''} ·{' '}
                {t.status[theirs.status]}
              </td>
            </tr>
          </tbody>
        </table>
      </TableScroll>
      <button type="button" onClick={onReload}>
        {t.common.reload}
      </button>
    </div>
  );
}

function TimelineTable({ timeline, t, locale }: { timeline: Timeline; t: Strings; locale: string }) {
  const zone = timeline.timeZone;
  const clinicZone = timeline.clinicTimeZone;
  return (
    <TableScroll label={t.appointment.timeline}>
      <table class="timeline">
        <caption>{t.appointment.timeline}</caption>
        <thead>
          <tr>
            <th scope="col">{t.appointment.message}</th>
            <th scope="col">{t.appointment.channel}</th>
            <th scope="col">{t.appointment.messageStatus}</th>
            <th scope="col">{t.appointment.reason}</th>
            <th scope="col">{t.appointment.due(zone)}</th>
            {zone !== clinicZone && <th scope="col">{t.appointment.due(clinicZone)}</th>}
            <th scope="col">{t.appointment.sent(zone)}</th>
          </tr>
        </thead>
        <tbody>
          {timeline.messages.length === 0 && (
            <tr>
              <td colSpan={7}>{t.appointment.noMessages}</td>
            </tr>
          )}
          {timeline.messages.map((message) => [
            <tr key={message.messageId} data-status={message.status}>
              <td>
                {t.kinds[message.kind as keyof Strings['kinds']] ?? message.kind}
                {message.offset ? ` (${message.offset})` : ''}
                <span class="muted"> · {t.appointment.forSchedule(scheduleVersion(message))}</span>
              </td>
              <td>{message.channel.toUpperCase()}</td>
              <td>
                <Badge tone={messageTone(message.status)}>{t.messageStatuses[message.status]}</Badge>
              </td>
              <td>{message.reason ? reasonText(message.reason, t) : ''}</td>
              <td>{formatDateTime(message.dueAt, zone, locale)}</td>
              {zone !== clinicZone && <td>{formatDateTime(message.dueAt, clinicZone, locale)}</td>}
              <td>{message.sentAt ? formatDateTime(message.sentAt, zone, locale) : ''}</td>
            </tr>,
            message.surveyAnswer && (
              <tr key={`${message.messageId}#answer`} class="answer">
                <td colSpan={zone !== clinicZone ? 7 : 6}>
                  <SurveyAnswerView answer={message.surveyAnswer} zone={zone} t={t} locale={locale} />
                </td>
              </tr>
            ),
          ])}
        </tbody>
      </table>
    </TableScroll>
  );
}

type SurveyAnswer = NonNullable<TimelineMessage['surveyAnswer']>;

/** A survey's answer under its message: the score on its scale, its class, when and how, and the comment. */
function SurveyAnswerView({
  answer,
  zone,
  t,
  locale,
}: {
  answer: SurveyAnswer;
  zone: string;
  t: Strings;
  locale: string;
}) {
  const tone = answer.class === 'promoter' ? 'good' : answer.class === 'detractor' ? 'bad' : 'warn';
  return (
    <div class="survey-answer">
      <p>
        <strong>{t.appointment.answer.title}:</strong>{' '}
        <span data-testid="survey-score">{t.appointment.answer.score(answer.score, answer.scale)}</span>{' '}
        <Badge tone={tone}>{t.appointment.answer.classes[answer.class]}</Badge>{' '}
        <span class="muted">
          {t.appointment.answer.answered(formatDateTime(answer.answeredAt, zone, locale), answer.via)}
          {answer.late ? ` · ${t.appointment.answer.late}` : ''}
        </span>
      </p>
      {answer.comment && (
        <p>
          {t.appointment.answer.comment}: <q class="words">{answer.comment.text}</q>
          {answer.comment.truncated ? ` ${t.appointment.answer.truncated}` : ''}
        </p>
      )}
    </div>
  );
}
