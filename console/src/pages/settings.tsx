/**
 * Settings: the clinic's policy (reminder offsets, quiet hours, frequency
 * caps, languages, survey) and its SMS templates with a live render and
 * segment count from the same domain code the server checks templates with
 * at save time. Only a clinic admin may change them (the API refuses
 * anyone else with 403); refusals are shown at the field that caused them.
 * Loaded on first use, so the template code stays out of the first load.
 */
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { segmentBudgetFor } from '../../../shared/domain/constants';
import type { Clinic as DomainClinic, TemplateText } from '../../../shared/domain/model';
import {
  BUILT_IN_TEMPLATES,
  TEMPLATE_KINDS,
  type TemplateKind,
} from '../../../shared/domain/templates/builtin';
import { fitSms } from '../../../shared/domain/templates/guard';
import { templateValues } from '../../../shared/domain/templates/render';
import { parseTemplate } from '../../../shared/domain/templates/syntax';
import {
  longestDateAndTime,
  validateClinicTemplates,
  WORST_CASE_SAMPLES,
} from '../../../shared/domain/templates/validate';
import { type Clinic, describeError, type Schemas } from '../api/client';
import { isAdmin } from '../auth';
import { PageTitle } from '../components';
import { useApp } from '../context';
import { type Strings, useStrings } from '../i18n';

interface Issue {
  path: string;
  message: string;
}

type Policy = Clinic['policy'];

/** Fields this form shows, by the path the API names in its refusals. */
const FIELD_PATHS = new Set([
  'policy.reminderOffsets.default',
  'policy.quietHours.start',
  'policy.quietHours.end',
  'policy.frequencyCap.perDay',
  'policy.frequencyCap.perWeek',
  'policy.languages',
  'policy.defaultLanguage',
  'policy.survey.delay',
]);

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function listOf(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

/**
 * Whether an issue is about a field: its path, or a path inside it (`policy.reminderOffsets.default.1` is
 * the second offset of `policy.reminderOffsets.default`).
 */
function belongsTo(issue: Issue, field: string): boolean {
  return issue.path === field || issue.path.startsWith(`${field}.`);
}

function FieldIssues({ id, issues }: { id: string; issues: Issue[] }) {
  const { t } = useStrings();
  const mine = issues.filter((issue) => belongsTo(issue, id));
  if (mine.length === 0) return null;
  return (
    <span id={`${id}-error`} class="field-error" role="alert">
      {mine
        .map((issue) => {
          const inner = issue.path.slice(id.length + 1);
          // An entry of a list: say which, counted from 1 as staff read the field.
          const where = /^\d+$/.test(inner)
            ? `${t.settings.entry(Number(inner) + 1)}: `
            : inner
              ? `${inner}: `
              : '';
          return `${where}${issue.message}`;
        })
        .join('; ')}
    </span>
  );
}

/** A labelled control with the server's refusals of its field beside it (linked by aria-describedby). */
function Field({
  label,
  path,
  issues,
  children,
}: {
  label: ComponentChildren;
  path: string;
  issues: Issue[];
  children: (aria: ReturnType<typeof described>) => ComponentChildren;
}) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is what children renders, inside this label
    <label>
      {label}
      {children(described(path, issues))}
      <FieldIssues id={path} issues={issues} />
    </label>
  );
}

function described(id: string, issues: Issue[]) {
  const has = issues.some((issue) => belongsTo(issue, id));
  return has ? { 'aria-describedby': `${id}-error`, 'aria-invalid': true } : {};
}

/** The SMS wording in force for a kind and language: the clinic's own, else the built-in. */
function templateFor(
  policy: Policy,
  kind: TemplateKind,
  language: string,
): { text: TemplateText; own: boolean } {
  const own = policy.templates[kind]?.[language];
  if (own) return { text: own, own: true };
  const builtIn = BUILT_IN_TEMPLATES[kind][language] ?? BUILT_IN_TEMPLATES[kind].en;
  return { text: builtIn, own: false };
}

export function SettingsPage() {
  const { api, clinicId, clinic, session, reloadClinic } = useApp();
  const { t } = useStrings();
  const admin = isAdmin(session);
  const [draft, setDraft] = useState<Clinic>(() => clone(clinic));
  const [issues, setIssues] = useState<Issue[]>([]);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const [kind, setKind] = useState<TemplateKind>('reminder');
  const [language, setLanguage] = useState(clinic.policy.defaultLanguage);
  const policy = draft.policy;
  const setPolicy = (change: (policy: Policy) => void) => {
    const next = clone(draft);
    change(next.policy);
    setDraft(next);
    // "Saved." was about the form as saved: the next change makes it untrue. (Not on every keystroke: a
    // re-render would put back the offsets field's text, which it commits on change.)
    setNotice('');
  };

  // The save-time check, run live on the draft: the same issues the server would answer with.
  const liveIssues = useMemo(() => {
    try {
      return validateClinicTemplates(draft as unknown as DomainClinic);
    } catch {
      return [];
    }
  }, [draft]);
  const allIssues = [
    ...issues,
    ...liveIssues.filter((issue) => !issues.some((one) => one.path === issue.path)),
  ];

  const save = async () => {
    setNotice('');
    setError('');
    const { name, smsName, timeZone, country, contactPhone } = draft;
    const {
      data,
      error: failure,
      response,
    } = await api.PUT('/v1/clinics/{clinicId}', {
      params: { path: { clinicId }, header: { 'If-Match': `"${clinic.version}"` } },
      body: {
        name,
        timeZone,
        country,
        contactPhone,
        // The segment budget is read back as an object, which the input also takes.
        policy: policy as Schemas['ClinicInput']['policy'],
        ...(smsName ? { smsName } : {}),
      },
    });
    if (!data) {
      const body = failure as { error?: { issues?: Issue[] } } | undefined;
      setIssues(body?.error?.issues ?? []);
      setError(
        response.status === 409
          ? t.settings.conflict
          : response.status === 403
            ? t.settings.adminOnly
            : describeError(failure, response.status),
      );
      return;
    }
    setIssues([]);
    setNotice(t.settings.saved);
    reloadClinic();
  };

  const template = templateFor(policy, kind, language);
  const smsPath = `policy.templates.${kind}.${language}.sms`;
  const preview = useMemo(() => {
    const parsed = parseTemplate(template.text.sms);
    if (parsed.problems.length > 0) return undefined;
    const values = {
      ...templateValues(
        {
          kind,
          language,
          channel: 'sms',
          clinic: draft as unknown as DomainClinic,
          patient: { firstName: '' },
        },
        language,
      ),
      ...longestDateAndTime(language),
      firstName: WORST_CASE_SAMPLES.firstName,
      location: WORST_CASE_SAMPLES.location,
      videoLink: '',
    };
    return fitSms(parsed.nodes, values, segmentBudgetFor(policy as DomainClinic['policy'], kind), {
      keepFirstName: true,
    });
  }, [draft, kind, language, template.text.sms]);

  const editSms = (sms: string) =>
    setPolicy((next) => {
      const text = { ...templateFor(next, kind, language).text, sms };
      next.templates[kind] = { ...next.templates[kind], [language]: text };
    });

  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.settings.title}</PageTitle>
      {!admin && (
        <p class="warning" role="note">
          {t.settings.readOnly}
        </p>
      )}
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
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <fieldset disabled={!admin} class="stack plain">
          <legend class="visually-hidden">{t.settings.title}</legend>
          <h2>{t.settings.policy}</h2>
          <Field label={t.settings.offsets} path="policy.reminderOffsets.default" issues={allIssues}>
            {(aria) => (
              <input
                value={policy.reminderOffsets.default.join(', ')}
                onChange={(event) =>
                  setPolicy((next) => {
                    next.reminderOffsets.default = listOf(event.currentTarget.value);
                  })
                }
                {...aria}
              />
            )}
          </Field>
          <div class="row">
            <label class="check">
              <input
                type="checkbox"
                checked={policy.quietHours.enabled}
                onChange={(event) =>
                  setPolicy((next) => {
                    next.quietHours.enabled = event.currentTarget.checked;
                  })
                }
              />
              {t.settings.quietHours}
            </label>
            <Field label={t.settings.from} path="policy.quietHours.start" issues={allIssues}>
              {(aria) => (
                <input
                  type="time"
                  value={policy.quietHours.start}
                  onChange={(event) =>
                    setPolicy((next) => {
                      next.quietHours.start = event.currentTarget.value;
                    })
                  }
                  {...aria}
                />
              )}
            </Field>
            <Field label={t.settings.to} path="policy.quietHours.end" issues={allIssues}>
              {(aria) => (
                <input
                  type="time"
                  value={policy.quietHours.end}
                  onChange={(event) =>
                    setPolicy((next) => {
                      next.quietHours.end = event.currentTarget.value;
                    })
                  }
                  {...aria}
                />
              )}
            </Field>
          </div>
          <div class="row">
            <label class="check">
              <input
                type="checkbox"
                checked={policy.frequencyCap.enabled}
                onChange={(event) =>
                  setPolicy((next) => {
                    next.frequencyCap.enabled = event.currentTarget.checked;
                  })
                }
              />
              {t.settings.cap}
            </label>
            <Field label={t.settings.perDay} path="policy.frequencyCap.perDay" issues={allIssues}>
              {(aria) => (
                <input
                  type="number"
                  min={1}
                  max={10}
                  value={policy.frequencyCap.perDay}
                  onChange={(event) =>
                    setPolicy((next) => {
                      next.frequencyCap.perDay = Number(event.currentTarget.value);
                    })
                  }
                  {...aria}
                />
              )}
            </Field>
            <Field label={t.settings.perWeek} path="policy.frequencyCap.perWeek" issues={allIssues}>
              {(aria) => (
                <input
                  type="number"
                  min={1}
                  max={50}
                  value={policy.frequencyCap.perWeek}
                  onChange={(event) =>
                    setPolicy((next) => {
                      next.frequencyCap.perWeek = Number(event.currentTarget.value);
                    })
                  }
                  {...aria}
                />
              )}
            </Field>
          </div>
          <div class="row">
            <Field label={t.settings.languages} path="policy.languages" issues={allIssues}>
              {(aria) => (
                <input
                  value={policy.languages.join(', ')}
                  onChange={(event) =>
                    setPolicy((next) => {
                      next.languages = listOf(event.currentTarget.value);
                    })
                  }
                  {...aria}
                />
              )}
            </Field>
            <Field label={t.settings.defaultLanguage} path="policy.defaultLanguage" issues={allIssues}>
              {(aria) => (
                <select
                  value={policy.defaultLanguage}
                  onChange={(event) =>
                    setPolicy((next) => {
                      next.defaultLanguage = event.currentTarget.value;
                    })
                  }
                  {...aria}
                >
                  {policy.languages.map((code) => (
                    <option key={code} value={code}>
                      {code}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <div class="row">
            <label class="check">
              <input
                type="checkbox"
                checked={policy.survey.enabled}
                onChange={(event) =>
                  setPolicy((next) => {
                    next.survey.enabled = event.currentTarget.checked;
                  })
                }
              />
              {t.settings.survey}
            </label>
            <Field label={t.settings.surveyDelay} path="policy.survey.delay" issues={allIssues}>
              {(aria) => (
                <input
                  value={policy.survey.delay}
                  onChange={(event) =>
                    setPolicy((next) => {
                      next.survey.delay = event.currentTarget.value;
                    })
                  }
                  {...aria}
                />
              )}
            </Field>
          </div>

          <h2>{t.settings.templates}</h2>
          <div class="row">
            <label>
              {t.settings.kind}
              <select value={kind} onChange={(event) => setKind(event.currentTarget.value as TemplateKind)}>
                {TEMPLATE_KINDS.map((option) => (
                  <option key={option} value={option}>
                    {t.kinds[option]}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t.settings.templateLanguage}
              <select value={language} onChange={(event) => setLanguage(event.currentTarget.value)}>
                {policy.languages.map((code) => (
                  <option key={code} value={code}>
                    {code}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <label>
            {t.settings.smsText(template.own)}
            <textarea
              rows={4}
              value={template.text.sms}
              onInput={(event) => editSms(event.currentTarget.value)}
              {...described(smsPath, allIssues)}
            />
            <FieldIssues id={smsPath} issues={allIssues} />
          </label>
          <TemplatePreview preview={preview} t={t} />
          {admin && (
            <div>
              <button type="submit" class="primary">
                {t.settings.save}
              </button>
            </div>
          )}
        </fieldset>
      </form>
      <OtherIssues
        issues={allIssues.filter(
          (issue) => ![...FIELD_PATHS, smsPath].some((field) => belongsTo(issue, field)),
        )}
        t={t}
      />
    </section>
  );
}

function TemplatePreview({ preview, t }: { preview: ReturnType<typeof fitSms> | undefined; t: Strings }) {
  if (!preview) return null;
  const { count } = preview;
  return (
    <div>
      <p class="muted">{t.settings.previewNote}</p>
      <pre class="preview" data-testid="preview">
        {preview.text}
      </pre>
      <p aria-live="polite" data-testid="segments">
        {t.settings.segments(count.segments, count.units, count.encoding)}{' '}
        {preview.fits ? '' : <strong class="field-error">{t.settings.overBudget(preview.budget)}</strong>}
      </p>
    </div>
  );
}

function OtherIssues({ issues, t }: { issues: Issue[]; t: Strings }) {
  if (issues.length === 0) return null;
  return (
    <div class="error" role="alert">
      <p>{t.settings.otherIssues}</p>
      <ul>
        {issues.map((issue) => (
          <li key={issue.path}>
            <code>{issue.path}</code>: {issue.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
