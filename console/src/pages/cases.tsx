/**
 * Cases: the clinic's feedback cases (a detractor's score, complaint
 * wording, or opened by hand here) with filters by status, priority,
 * category and overdue, overdue ones marked; a case with its history, acknowledged,
 * noted and resolved at the version read (a stale one says so). Refreshes
 * every 10 s while the tab is shown.
 */
import { useState } from 'preact/hooks';
import { CASE_CATEGORIES } from '../../../shared/domain/cases/complaints';
import { PRIORITIES } from '../../../shared/domain/constants';
import { type CaseView, describeError } from '../api/client';
import { Badge, Choice, PageTitle, Show, TableScroll } from '../components';
import { useApp } from '../context';
import { useLoad } from '../hooks';
import { type Strings, useStrings } from '../i18n';
import { href } from '../router';
import { formatDateTime, zoneLabel } from '../time';

const POLL_MS = 10_000;
type StatusFilter = 'all' | CaseView['status'];
type PriorityFilter = 'all' | CaseView['priority'];
type CategoryFilter = 'all' | CaseView['category'];

function StatusBadge({ status, t }: { status: CaseView['status']; t: Strings }) {
  return (
    <Badge tone={status === 'resolved' ? 'good' : status === 'acknowledged' ? 'plain' : 'warn'}>
      {t.cases.statuses[status]}
    </Badge>
  );
}

function OverdueMarker({ item, t }: { item: CaseView; t: Strings }) {
  if (!item.overdue) return null;
  return (
    <Badge tone="bad">
      {t.cases.overdue(item.overdueStages.map((stage) => t.cases.stages[stage]).join(', '))}
    </Badge>
  );
}

export function CasesPage({ caseId }: { caseId?: string }) {
  return caseId ? <CaseDetail caseId={caseId} /> : <CaseList />;
}

/** A history entry's before and after, in the reader's language where it is one of the API's values. */
function entryValue(kind: string, value: string, t: Strings): string {
  const lists: Record<string, Record<string, string>> = {
    status: t.cases.statuses,
    category: t.cases.categories,
    priority: t.inbox.priorities,
  };
  return lists[kind]?.[value] ?? value;
}

/** Staff open a case by hand: a complaint made by phone or at the desk. */
function NewCase({ onOpened }: { onOpened: (caseId: string) => void }) {
  const { api, clinicId } = useApp();
  const { t } = useStrings();
  const [summary, setSummary] = useState('');
  const [category, setCategory] = useState<CaseView['category']>('other');
  const [priority, setPriority] = useState<CaseView['priority']>('high');
  const [patientId, setPatientId] = useState('');
  const [failure, setFailure] = useState('');

  const open = async (event: Event) => {
    event.preventDefault();
    setFailure('');
    const { data, error, response } = await api.POST('/v1/clinics/{clinicId}/cases', {
      params: { path: { clinicId } },
      body: {
        summary,
        category,
        priority,
        ...(patientId.trim() ? { links: { patientId: patientId.trim() } } : {}),
      },
    });
    if (!data) {
      setFailure(describeError(error, response.status));
      return;
    }
    setSummary('');
    setPatientId('');
    onOpened(data.caseId);
  };

  return (
    <details class="panel">
      <summary>{t.cases.openOne}</summary>
      <form class="stack" onSubmit={(event) => void open(event)}>
        {failure && (
          <p role="alert" class="error">
            {failure}
          </p>
        )}
        <label>
          {t.cases.summary}
          <textarea
            rows={3}
            required
            value={summary}
            onInput={(event) => setSummary(event.currentTarget.value)}
          />
        </label>
        <Choice
          label={t.cases.category}
          value={category}
          options={CASE_CATEGORIES}
          names={t.cases.categories}
          onChange={(value) => value !== 'all' && setCategory(value)}
        />
        <Choice
          label={t.cases.priority}
          value={priority}
          options={PRIORITIES}
          names={t.inbox.priorities}
          onChange={(value) => value !== 'all' && setPriority(value)}
        />
        <label>
          {t.cases.patientId}
          <input value={patientId} onInput={(event) => setPatientId(event.currentTarget.value)} />
        </label>
        <div>
          <button type="submit" disabled={!summary.trim()}>
            {t.cases.openSubmit}
          </button>
        </div>
      </form>
    </details>
  );
}

function CaseList() {
  const { api, clinicId, clinic } = useApp();
  const { t, language } = useStrings();
  const zone = clinic.timeZone;
  const [status, setStatus] = useState<StatusFilter>('all');
  const [priority, setPriority] = useState<PriorityFilter>('all');
  const [category, setCategory] = useState<CategoryFilter>('all');
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [loaded, reload] = useLoad(
    async () => {
      const { data, error, response } = await api.GET('/v1/clinics/{clinicId}/cases', {
        params: {
          path: { clinicId },
          query: {
            limit: 100,
            ...(status === 'all' ? {} : { status }),
            ...(priority === 'all' ? {} : { priority }),
            ...(category === 'all' ? {} : { category }),
            ...(overdueOnly ? { overdue: 'true' as const } : {}),
          },
        },
      });
      if (!data) throw new Error(describeError(error, response.status));
      return data.items;
    },
    [clinicId, status, priority, category, overdueOnly],
    POLL_MS,
  );
  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.cases.title}</PageTitle>
      <NewCase
        onOpened={(caseId) => {
          location.hash = href({ page: 'cases', caseId });
        }}
      />
      <div class="toolbar">
        <Choice
          label={t.cases.status}
          value={status}
          options={['open', 'acknowledged', 'resolved'] as const}
          names={t.cases.statuses}
          onChange={setStatus}
          allLabel={t.cases.all.status}
        />
        <Choice
          label={t.cases.priority}
          value={priority}
          options={PRIORITIES}
          names={t.inbox.priorities}
          onChange={setPriority}
          allLabel={t.cases.all.priority}
        />
        <Choice
          label={t.cases.category}
          value={category}
          options={CASE_CATEGORIES}
          names={t.cases.categories}
          onChange={setCategory}
          allLabel={t.cases.all.category}
        />
        <label class="check">
          <input
            type="checkbox"
            checked={overdueOnly}
            onChange={(event) => setOverdueOnly(event.currentTarget.checked)}
          />{' '}
          {t.cases.overdueOnly}
        </label>
      </div>
      <p class="zone-note">{t.common.zoneLabel(zoneLabel(zone))}</p>
      <Show loaded={loaded} retry={reload}>
        {(items) =>
          items.length === 0 ? (
            <p>{t.cases.none}</p>
          ) : (
            <TableScroll label={t.cases.caption}>
              <table>
                <caption class="visually-hidden">{t.cases.caption}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.cases.case}</th>
                    <th scope="col">{t.cases.status}</th>
                    <th scope="col">{t.cases.priority}</th>
                    <th scope="col">{t.cases.category}</th>
                    <th scope="col">{t.cases.summary}</th>
                    <th scope="col">{t.cases.due(zone)}</th>
                    <th scope="col">{t.cases.assignee}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((item) => (
                    <tr key={item.caseId}>
                      <th scope="row">
                        <a href={href({ page: 'cases', caseId: item.caseId })}>{item.caseId}</a>
                      </th>
                      <td>
                        <StatusBadge status={item.status} t={t} /> <OverdueMarker item={item} t={t} />
                      </td>
                      <td>{t.inbox.priorities[item.priority]}</td>
                      <td>{t.cases.categories[item.category]}</td>
                      <td class="words">
                        {item.summary ?? item.complaintPhrase ?? t.cases.sources[item.source]}
                      </td>
                      <td>
                        {item.status === 'open' && (
                          <>
                            {t.cases.stages.acknowledge}:{' '}
                            {formatDateTime(item.acknowledgeDueAt, zone, language)}
                            <br />
                          </>
                        )}
                        {item.status !== 'resolved' && (
                          <>
                            {t.cases.stages.resolve}: {formatDateTime(item.resolveDueAt, zone, language)}
                          </>
                        )}
                      </td>
                      <td>{item.assignee ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )
        }
      </Show>
    </section>
  );
}

function CaseDetail({ caseId }: { caseId: string }) {
  const { api, clinicId, clinic } = useApp();
  const { t, language } = useStrings();
  const zone = clinic.timeZone;
  const [notice, setNotice] = useState('');
  const [failure, setFailure] = useState('');
  const [note, setNote] = useState('');
  const [resolution, setResolution] = useState('');
  const [loaded, reload] = useLoad(
    async () => {
      const { data, error, response } = await api.GET('/v1/clinics/{clinicId}/cases/{caseId}', {
        params: { path: { clinicId, caseId } },
      });
      if (!data) throw new Error(describeError(error, response.status));
      return data;
    },
    [clinicId, caseId],
    POLL_MS,
  );

  const change = async (
    item: CaseView,
    body: { status: 'acknowledged' } | { status: 'resolved'; resolutionNote: string },
  ) => {
    setNotice('');
    setFailure('');
    const { data, error, response } = await api.PATCH('/v1/clinics/{clinicId}/cases/{caseId}', {
      params: { path: { clinicId, caseId }, header: { 'If-Match': `"${item.version}"` } },
      body,
    });
    if (!data) {
      setFailure(response.status === 409 ? t.cases.conflict : describeError(error, response.status));
      return;
    }
    setNotice(t.cases.changed[body.status]);
    setResolution('');
    reload();
  };

  const addNote = async (event: Event) => {
    event.preventDefault();
    if (!note.trim()) return;
    setNotice('');
    setFailure('');
    const { data, error, response } = await api.POST('/v1/clinics/{clinicId}/cases/{caseId}/notes', {
      params: { path: { clinicId, caseId } },
      body: { text: note },
    });
    if (!data) {
      setFailure(describeError(error, response.status));
      return;
    }
    setNote('');
    setNotice(t.cases.noted);
    reload();
  };

  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.cases.one(caseId)}</PageTitle>
      <p>
        <a href={href({ page: 'cases' })}>{t.cases.back}</a>
      </p>
      <p role="status">{notice}</p>
      {failure && (
        <div role="alert" class="error">
          <p>{failure}</p>
          <button type="button" onClick={reload}>
            {t.common.reload}
          </button>
        </div>
      )}
      <Show loaded={loaded} retry={reload}>
        {(item) => (
          <>
            <dl class="facts">
              <dt>{t.cases.status}</dt>
              <dd data-testid="case-status">
                <StatusBadge status={item.status} t={t} /> <OverdueMarker item={item} t={t} />
              </dd>
              <dt>{t.cases.priority}</dt>
              <dd>{t.inbox.priorities[item.priority]}</dd>
              <dt>{t.cases.category}</dt>
              <dd>{t.cases.categories[item.category]}</dd>
              <dt>{t.cases.source}</dt>
              <dd>{t.cases.sources[item.source]}</dd>
              <dt>{t.cases.summary}</dt>
              <dd class="words">{item.summary ?? item.complaintPhrase ?? '—'}</dd>
              {item.links.patientId && (
                <>
                  <dt>{t.appointment.patient}</dt>
                  <dd>
                    <a href={href({ page: 'patient', patientId: item.links.patientId })}>
                      {item.links.patientId}
                    </a>
                  </dd>
                </>
              )}
              <dt>{t.cases.due(zone)}</dt>
              <dd>
                {t.cases.stages.acknowledge}: {formatDateTime(item.acknowledgeDueAt, zone, language)} ·{' '}
                {t.cases.stages.resolve}: {formatDateTime(item.resolveDueAt, zone, language)}
              </dd>
              <dt>{t.cases.assignee}</dt>
              <dd>{item.assignee ?? '—'}</dd>
              {item.resolutionNote && (
                <>
                  <dt>{t.cases.resolutionNote}</dt>
                  <dd class="words">{item.resolutionNote}</dd>
                </>
              )}
            </dl>
            {item.status === 'open' && (
              <div class="actions">
                <button type="button" onClick={() => void change(item, { status: 'acknowledged' })}>
                  {t.cases.acknowledge}
                </button>
              </div>
            )}
            {item.status === 'acknowledged' && (
              <form
                class="stack panel"
                onSubmit={(event) => {
                  event.preventDefault();
                  if (resolution.trim())
                    void change(item, { status: 'resolved', resolutionNote: resolution });
                }}
              >
                <label>
                  {t.cases.resolutionNote}
                  <textarea
                    rows={2}
                    required
                    value={resolution}
                    onInput={(event) => setResolution(event.currentTarget.value)}
                  />
                </label>
                <div>
                  <button type="submit">{t.cases.resolve}</button>
                </div>
              </form>
            )}
            <h2 id="history-title">{t.cases.history}</h2>
            <ol class="conversation" aria-labelledby="history-title">
              {item.history.map((entry, index) => (
                <li class="said" key={`${entry.at}-${index}`}>
                  <p class="said-head">
                    <strong>{t.cases.entries[entry.kind]}</strong> ·{' '}
                    {formatDateTime(entry.at, zone, language)} · {entry.author}
                    {entry.from !== undefined &&
                      entry.to !== undefined &&
                      ` · ${entryValue(entry.kind, entry.from, t)} → ${entryValue(entry.kind, entry.to, t)}`}
                  </p>
                  {entry.text && <p class="words">{entry.text}</p>}
                </li>
              ))}
            </ol>
            <form class="stack" onSubmit={(event) => void addNote(event)}>
              <label>
                {t.cases.note}
                <textarea rows={2} value={note} onInput={(event) => setNote(event.currentTarget.value)} />
              </label>
              <div>
                <button type="submit" disabled={!note.trim()}>
                  {t.cases.addNote}
                </button>
              </div>
            </form>
          </>
        )}
      </Show>
    </section>
  );
}
