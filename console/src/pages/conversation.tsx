/**
 * A patient's conversation with the clinic, oldest first (their texts and
 * every message to them, with kind, status and reason): the latest page,
 * refreshed, and the earlier pages the user asks for; and a reply box
 * that counts SMS parts live with the server's own segment counter and
 * budget. Loaded on first use with the patient page (the counter stays
 * out of the first load); refreshes every 5 s while the tab is shown.
 */
import type { DateTime } from 'luxon';
import { useRef, useState } from 'preact/hooks';
import { segmentBudgetFor } from '../../../shared/domain/constants';
import type { Clinic as DomainClinic } from '../../../shared/domain/model';
import { resolveLanguage } from '../../../shared/domain/planning/rules';
import { countSegments } from '../../../shared/domain/templates/segments';
import {
  STAFF_REPLY_CONVERSATION_HOURS,
  staffReplyOpensConversation,
  staffReplyWords,
} from '../../../shared/domain/templates/staff-reply';
import { type ConversationItem, describeError, type Patient } from '../api/client';
import { Badge, Show } from '../components';
import { useApp } from '../context';
import { useLoad } from '../hooks';
import { reasonText, type Strings, statusText, useStrings } from '../i18n';
import { href } from '../router';
import { formatDateTime, zoneLabel } from '../time';

const POLL_MS = 5_000;

function newKey(): string {
  return crypto.randomUUID();
}

const keyOf = (entry: ConversationItem) =>
  entry.direction === 'inbound' ? `in:${entry.item.itemId}` : `out:${entry.messageId}`;

/**
 * The earlier pages loaded, then the latest page as last polled (an item on
 * both shows once, as the latest poll has it).
 */
function shownItems(earlier: readonly ConversationItem[], latest: readonly ConversationItem[]) {
  const fresh = new Set(latest.map(keyOf));
  return [...earlier.filter((entry) => !fresh.has(keyOf(entry))), ...latest];
}

function Entry({
  entry,
  t,
  zone,
  locale,
}: {
  entry: ConversationItem;
  t: Strings;
  zone: string;
  locale: string;
}) {
  const when = formatDateTime(entry.at, zone, locale);
  if (entry.direction === 'inbound') {
    const item = entry.item;
    return (
      <li class="said said-in">
        <p class="said-head">
          <strong>{t.conversation.patient}</strong> · {when} ·{' '}
          {t.inbox.outcomes[item.outcome] ?? item.outcome}
          {item.state && (
            <>
              {' '}
              <Badge tone={item.state === 'open' ? 'warn' : 'good'}>{t.inbox.state[item.state]}</Badge>
            </>
          )}
        </p>
        <p class="words">{item.body}</p>
      </li>
    );
  }
  const tone =
    entry.status === 'sent' || entry.status === 'delivered'
      ? 'good'
      : entry.status === 'skipped' || entry.status === 'failed' || entry.status === 'undeliverable'
        ? 'bad'
        : 'plain';
  return (
    <li class="said said-out">
      <p class="said-head">
        <strong>{t.kinds[entry.kind]}</strong> · {entry.channel.toUpperCase()} · {when}{' '}
        <Badge tone={tone}>{statusText(entry.status, t)}</Badge>
        {entry.reason && <span class="muted"> {reasonText(entry.reason, t)}</span>}
        {entry.by && <span class="muted"> · {t.conversation.by(entry.by)}</span>}
        {entry.appointmentId && (
          <>
            {' · '}
            <a href={href({ page: 'appointment', appointmentId: entry.appointmentId })}>
              {t.inbox.visit(entry.appointmentId)}
            </a>
          </>
        )}
      </p>
      {entry.subject && <p class="muted">{entry.subject}</p>}
      {entry.text ? <p class="words">{entry.text}</p> : <p class="muted">{t.conversation.noWords}</p>}
    </li>
  );
}

export function Conversation({ patient }: { patient: Patient }) {
  const { api, clinicId, clinic, now } = useApp();
  const { t, language } = useStrings();
  const zone = clinic.timeZone;
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState('');
  const [notice, setNotice] = useState('');
  // One key per draft: sending the same words again (a double press, a retry after a lost answer) sends one text.
  const key = useRef(newKey());
  // Pages before the latest, oldest first, and the cursor to the page before them (none: the start).
  const [earlier, setEarlier] = useState<{ items: ConversationItem[]; cursor?: string | undefined }>();
  const [loadingEarlier, setLoadingEarlier] = useState(false);
  const [serverNow, setServerNow] = useState<DateTime>();

  const [loaded, reload] = useLoad(
    async () => {
      const { data, error, response } = await api.GET(
        '/v1/clinics/{clinicId}/patients/{patientId}/conversation',
        {
          params: { path: { clinicId, patientId: patient.patientId } },
        },
      );
      if (!data) throw new Error(describeError(error, response.status));
      // The API's clock, for the 24-hour rule (local mode runs a clock of its own).
      setServerNow(await now());
      return data;
    },
    [clinicId, patient.patientId],
    POLL_MS,
  );

  const loadEarlier = async (cursor: string) => {
    setLoadingEarlier(true);
    setFailure('');
    const { data, error, response } = await api.GET(
      '/v1/clinics/{clinicId}/patients/{patientId}/conversation',
      { params: { path: { clinicId, patientId: patient.patientId }, query: { cursor } } },
    );
    setLoadingEarlier(false);
    if (!data) {
      setFailure(describeError(error, response.status));
      return;
    }
    setEarlier({ items: [...data.items, ...(earlier?.items ?? [])], cursor: data.cursor });
  };

  // The 24-hour rule, as the API applies it: no text from the patient in the last day, and the reply
  // starts a new message, sent with the clinic's SMS name and the opt-out line; its parts count those too.
  const lastTextAt =
    loaded.state === 'ready'
      ? [...(earlier?.items ?? []), ...loaded.value.items]
          .filter((entry) => entry.direction === 'inbound')
          .map((entry) => entry.at)
          .sort()
          .at(-1)
      : undefined;
  const opensConversation =
    loaded.state === 'ready' && serverNow !== undefined && staffReplyOpensConversation(lastTextAt, serverNow);
  const patientLanguage = resolveLanguage(patient, clinic.policy as DomainClinic['policy']);
  const words = staffReplyWords({ text: text.trim(), opensConversation, clinic, language: patientLanguage });
  const budget = segmentBudgetFor(clinic.policy as DomainClinic['policy'], 'staff-reply');
  const parts = countSegments(text.trim() ? words : '');
  const over = parts.segments > budget;
  const blocked = patient.optOuts.sms
    ? t.conversation.optedOut
    : !patient.phone
      ? t.conversation.noPhone
      : '';

  const send = async (event: Event) => {
    event.preventDefault();
    if (!text.trim() || over || blocked) return;
    setSending(true);
    setFailure('');
    setNotice('');
    const { data, error, response } = await api.POST('/v1/clinics/{clinicId}/patients/{patientId}/replies', {
      params: { path: { clinicId, patientId: patient.patientId } },
      headers: { 'Idempotency-Key': key.current },
      body: { text },
    });
    setSending(false);
    if (!data) {
      setFailure(describeError(error, response.status));
      return;
    }
    setNotice(data.status === 'queued' ? t.conversation.sent : t.conversation.nextSweep);
    setText('');
    key.current = newKey();
    reload();
  };

  return (
    <section aria-labelledby="conversation-title">
      <h2 id="conversation-title">{t.conversation.title}</h2>
      <p class="zone-note">{t.common.zoneLabel(zoneLabel(zone))}</p>
      <Show loaded={loaded} retry={reload}>
        {(conversation) => {
          const items = shownItems(earlier?.items ?? [], conversation.items);
          const before = earlier ? earlier.cursor : conversation.cursor;
          return items.length === 0 ? (
            <p>{t.conversation.empty}</p>
          ) : (
            <>
              {before && (
                <div class="actions">
                  <button type="button" disabled={loadingEarlier} onClick={() => void loadEarlier(before)}>
                    {t.conversation.earlier}
                  </button>
                </div>
              )}
              <ol class="conversation" aria-label={t.conversation.title}>
                {items.map((entry) => (
                  <Entry key={keyOf(entry)} entry={entry} t={t} zone={zone} locale={language} />
                ))}
              </ol>
            </>
          );
        }}
      </Show>
      <form class="stack reply" onSubmit={(event) => void send(event)}>
        <label for="reply-text">{t.conversation.reply}</label>
        <textarea
          id="reply-text"
          rows={3}
          value={text}
          disabled={blocked !== ''}
          aria-describedby="reply-count"
          aria-invalid={over}
          onInput={(event) => {
            setText(event.currentTarget.value);
            key.current = newKey();
          }}
        />
        <p id="reply-count" data-testid="reply-segments" class={over ? 'field-error' : 'muted'}>
          {t.settings.segments(parts.segments, parts.units, parts.encoding)} · {t.conversation.budget(budget)}
          {over && ` — ${t.settings.overBudget(budget)}`}
        </p>
        {opensConversation && !blocked && (
          <p class="info" data-testid="reply-opens">
            {t.conversation.opens(STAFF_REPLY_CONVERSATION_HOURS)}
          </p>
        )}
        {blocked && (
          <p class="warning" data-testid="reply-blocked">
            {blocked}
          </p>
        )}
        {failure && (
          <p role="alert" class="field-error">
            {failure}
          </p>
        )}
        <p role="status">{notice}</p>
        <div class="actions">
          <button type="submit" disabled={sending || over || blocked !== '' || !text.trim()}>
            {t.conversation.send}
          </button>
        </div>
      </form>
    </section>
  );
}
