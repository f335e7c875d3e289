/**
 * Inbox: the patients' texts that need a person (reschedule and cancel
 * requests, free text, texts no patient matched). Open texts by priority,
 * then the longest waiting first; done texts newest first, with who and
 * when; queues of texts assigned to me and unassigned ones, and assigning
 * a text to oneself (or unassigning it). New texts appear without a reload: the page asks every 5 s (not
 * while the tab is hidden) and marks the ones that arrived since it opened.
 */
import type { DateTime } from 'luxon';
import { useRef, useState } from 'preact/hooks';
import { describeError, type InboxItem } from '../api/client';
import { Badge, PageTitle, Show, TableScroll } from '../components';
import { useApp } from '../context';
import { useLoad } from '../hooks';
import { type Strings, useStrings } from '../i18n';
import { href } from '../router';
import { formatDateTime, inZone, zoneLabel } from '../time';

const POLL_MS = 5_000;
type Status = 'open' | 'done';
type Queue = 'all' | 'mine' | 'unassigned';
export type InboxPriority = 'high' | 'medium' | 'low';
const RANK: Record<InboxPriority, number> = { high: 0, medium: 1, low: 2 };

/**
 * How soon a text needs a person: a request about a visit (cancel,
 * reschedule) first, then anything else a known patient wrote, then texts
 * from numbers no patient has.
 */
export function priorityOf(item: InboxItem): InboxPriority {
  if (
    item.outcome === 'cancel-requested' ||
    item.outcome === 'reschedule-requested' ||
    item.intent.alsoForStaff !== undefined
  ) {
    return 'high';
  }
  return item.patientId ? 'medium' : 'low';
}

/** Open texts: by priority, then oldest first (the longest waiting on top). */
export function byPriorityAndAge(items: readonly InboxItem[]): InboxItem[] {
  return [...items].sort(
    (a, b) =>
      RANK[priorityOf(a)] - RANK[priorityOf(b)] ||
      (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0),
  );
}

/** What the text asked, in staff's words. */
function askedOf(item: InboxItem, t: Strings): string {
  return t.inbox.outcomes[item.outcome] ?? item.outcome;
}

interface Loaded {
  items: InboxItem[];
  now: DateTime;
  more: boolean;
}

export function InboxPage() {
  const { api, clinicId, clinic, now, session } = useApp();
  const { t, language } = useStrings();
  const [status, setStatus] = useState<Status>('open');
  const [queue, setQueue] = useState<Queue>('all');
  const [notice, setNotice] = useState('');
  const [failure, setFailure] = useState('');
  const [busy, setBusy] = useState<string | undefined>();
  // Ids seen at the first load: texts that arrive later are marked new.
  const seen = useRef<Set<string> | undefined>(undefined);

  const [loaded, reload] = useLoad<Loaded>(
    async () => {
      const { data, error, response } = await api.GET('/v1/clinics/{clinicId}/inbox', {
        params: { path: { clinicId }, query: { status, limit: 100 } },
      });
      if (!data) throw new Error(describeError(error, response.status));
      const items = status === 'open' ? byPriorityAndAge(data.items) : data.items;
      if (status === 'open' && !seen.current) seen.current = new Set(items.map((item) => item.itemId));
      return { items, now: await now(), more: data.cursor !== undefined };
    },
    [clinicId, status],
    POLL_MS,
  );

  const markDone = async (item: InboxItem) => {
    setBusy(item.itemId);
    setFailure('');
    setNotice('');
    const { data, error, response } = await api.POST('/v1/clinics/{clinicId}/inbox/{itemId}/done', {
      params: { path: { clinicId, itemId: item.itemId } },
    });
    setBusy(undefined);
    if (!data) {
      setFailure(describeError(error, response.status));
      return;
    }
    setNotice(t.inbox.markedDone);
    reload();
  };

  const assign = async (item: InboxItem, assignee: string | null) => {
    setBusy(item.itemId);
    setFailure('');
    setNotice('');
    const { data, error, response } = await api.POST('/v1/clinics/{clinicId}/inbox/{itemId}/assign', {
      params: { path: { clinicId, itemId: item.itemId } },
      body: { assignee },
    });
    setBusy(undefined);
    if (!data) {
      setFailure(describeError(error, response.status));
      return;
    }
    setNotice(assignee ? t.inbox.assignedToYou : t.inbox.unassigned);
    reload();
  };
  const inQueue = (item: InboxItem) =>
    status !== 'open' ||
    queue === 'all' ||
    (queue === 'mine' ? item.assignedTo === session.subject : item.assignedTo === undefined);
  const who = (subject: string) => (subject === session.subject ? t.inbox.you : subject);

  const zone = clinic.timeZone;
  // Names a text for its row's buttons, so each button's name differs from the next row's: the time to the
  // second and who sent it (no words of the text).
  const textOf = (item: InboxItem) =>
    t.inbox.textOf(
      inZone(item.receivedAt, zone).setLocale(language).toFormat('ccc d LLL, HH:mm:ss'),
      item.patientId ?? item.from,
    );
  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.inbox.title}</PageTitle>
      <div class="toolbar">
        <fieldset class="segmented">
          <legend class="visually-hidden">{t.inbox.show}</legend>
          {(['open', 'done'] as const).map((option) => (
            <button
              type="button"
              key={option}
              aria-pressed={status === option}
              onClick={() => {
                setStatus(option);
                setNotice('');
              }}
            >
              {t.inbox.states[option]}
            </button>
          ))}
        </fieldset>
        {status === 'open' && (
          <label>
            {t.inbox.queue}{' '}
            <select
              value={queue}
              onChange={(event) => {
                // "Assigned to you." was about a row of the list left behind.
                setQueue(event.currentTarget.value as Queue);
                setNotice('');
              }}
            >
              {(['all', 'mine', 'unassigned'] as const).map((option) => (
                <option key={option} value={option}>
                  {t.inbox.queues[option]}
                </option>
              ))}
            </select>
          </label>
        )}
        <span class="muted">{t.inbox.pollNote}</span>
      </div>
      <p class="zone-note">{t.common.zoneLabel(zoneLabel(zone))}</p>
      <p role="status">{notice}</p>
      {failure && (
        <p role="alert" class="error">
          {failure}
        </p>
      )}
      <Show loaded={loaded} retry={reload}>
        {({ items: all, now: at, more }) => {
          const items = all.filter(inQueue);
          return (
            <>
              <p aria-live="polite" data-testid="inbox-count">
                {t.inbox.count(status, items.length, more)}
              </p>
              {items.length === 0 ? (
                <p>{t.inbox.empty[status]}</p>
              ) : (
                <TableScroll label={t.inbox.caption[status]}>
                  <table class="inbox">
                    <caption class="visually-hidden">{t.inbox.caption[status]}</caption>
                    <thead>
                      <tr>
                        {status === 'open' && <th scope="col">{t.inbox.priority}</th>}
                        <th scope="col">{t.inbox.received(zone)}</th>
                        <th scope="col">{t.inbox.from}</th>
                        <th scope="col">{t.inbox.asked}</th>
                        <th scope="col">{t.inbox.text}</th>
                        {status === 'open' && <th scope="col">{t.inbox.assignedTo}</th>}
                        <th scope="col">{status === 'open' ? t.inbox.action : t.inbox.doneBy}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {items.map((item) => {
                        const priority = priorityOf(item);
                        const fresh =
                          status === 'open' && seen.current !== undefined && !seen.current.has(item.itemId);
                        const waited = inZone(item.receivedAt, zone)
                          .setLocale(language)
                          .toRelative({ base: at, style: 'short' });
                        return (
                          <tr key={item.itemId} data-item={item.itemId}>
                            {status === 'open' && (
                              <td>
                                <Badge
                                  tone={
                                    priority === 'high' ? 'bad' : priority === 'medium' ? 'warn' : 'plain'
                                  }
                                >
                                  {t.inbox.priorities[priority]}
                                </Badge>
                                {fresh && (
                                  <>
                                    {' '}
                                    <Badge tone="good">{t.inbox.fresh}</Badge>
                                  </>
                                )}
                              </td>
                            )}
                            <td>
                              {formatDateTime(item.receivedAt, zone, language)}
                              <br />
                              <span class="muted">{waited}</span>
                            </td>
                            <td>
                              {item.patientId ? (
                                <a href={href({ page: 'patient', patientId: item.patientId })}>
                                  {t.inbox.patient(item.patientId)}
                                </a>
                              ) : (
                                <>
                                  {item.from}
                                  <br />
                                  <span class="muted">{t.inbox.unknownNumber}</span>
                                </>
                              )}
                              {item.appointmentId && (
                                <>
                                  <br />
                                  <a href={href({ page: 'appointment', appointmentId: item.appointmentId })}>
                                    {t.inbox.visit(item.appointmentId)}
                                  </a>
                                </>
                              )}
                            </td>
                            <td>{askedOf(item, t)}</td>
                            <td class="words">{item.body}</td>
                            {status === 'open' && (
                              <td>
                                {item.assignedTo ? (
                                  <span>{who(item.assignedTo)}</span>
                                ) : (
                                  <span class="muted">{t.inbox.nobody}</span>
                                )}
                                <br />
                                {item.assignedTo === session.subject ? (
                                  <button
                                    type="button"
                                    disabled={busy === item.itemId}
                                    aria-label={t.inbox.unassignOf(textOf(item))}
                                    onClick={() => void assign(item, null)}
                                  >
                                    {t.inbox.unassign}
                                  </button>
                                ) : (
                                  <button
                                    type="button"
                                    disabled={busy === item.itemId}
                                    aria-label={t.inbox.assignToMeOf(textOf(item))}
                                    onClick={() => void assign(item, session.subject)}
                                  >
                                    {t.inbox.assignToMe}
                                  </button>
                                )}
                              </td>
                            )}
                            <td>
                              {status === 'open' ? (
                                <button
                                  type="button"
                                  disabled={busy === item.itemId}
                                  aria-label={t.inbox.markDoneOf(textOf(item))}
                                  onClick={() => void markDone(item)}
                                >
                                  {t.inbox.markDone}
                                </button>
                              ) : (
                                <>
                                  {item.doneBy ?? '—'}
                                  {item.doneAt && (
                                    <>
                                      <br />
                                      <span class="muted">{formatDateTime(item.doneAt, zone, language)}</span>
                                    </>
                                  )}
                                </>
                              )}
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </TableScroll>
              )}
            </>
          );
        }}
      </Show>
    </section>
  );
}
