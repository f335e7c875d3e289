/**
 * A patient: contact, channels in order, language, zone, consent and
 * opt-outs by channel with their source, addresses found undeliverable, the
 * last STOP or START texted; below, the conversation and a reply box.
 */
import { describeError, type Patient } from '../api/client';
import { Badge, Lazy, PageTitle, Show, TableScroll } from '../components';
import { useApp } from '../context';
import { useLoad } from '../hooks';
import { type Strings, sourceText, useStrings } from '../i18n';
import { href } from '../router';
import { formatDateTime, zoneLabel } from '../time';

const loadConversation = () => import('./conversation').then((module) => module.Conversation);

export function PatientPage({ patientId }: { patientId: string }) {
  const { api, clinicId, clinic } = useApp();
  const { t, language } = useStrings();
  const [loaded, reload] = useLoad(
    async () => {
      const { data, error, response } = await api.GET('/v1/clinics/{clinicId}/patients/{patientId}', {
        params: { path: { clinicId, patientId } },
      });
      if (!data) throw new Error(describeError(error, response.status));
      return data;
    },
    [clinicId, patientId],
    10_000,
  );
  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.patient.title(patientId)}</PageTitle>
      <p>
        <a href={href({ page: 'schedule' })}>{t.appointment.back}</a>
      </p>
      <Show loaded={loaded} retry={reload}>
        {(patient) => (
          <>
            <PatientView patient={patient} t={t} locale={language} clinicZone={clinic.timeZone} />
            <Lazy load={loadConversation} props={{ patient }} />
          </>
        )}
      </Show>
    </section>
  );
}

function PatientView({
  patient,
  t,
  locale,
  clinicZone,
}: {
  patient: Patient;
  t: Strings;
  locale: string;
  clinicZone: string;
}) {
  const zone = patient.timeZone ?? clinicZone;
  const at = (utc: string) => `${formatDateTime(utc, clinicZone, locale)} (${clinicZone})`;
  const channels = ['sms', 'email'] as const;
  return (
    <>
      <dl class="facts">
        <dt>{t.patient.name}</dt>
        <dd>{[patient.firstName, patient.lastName].filter(Boolean).join(' ')}</dd>
        <dt>{t.patient.phone}</dt>
        <dd>{patient.phone ?? '—'}</dd>
        <dt>{t.patient.email}</dt>
        <dd>{patient.email ?? '—'}</dd>
        <dt>{t.patient.channels}</dt>
        <dd>{patient.channels.map((channel) => channel.toUpperCase()).join(' → ')}</dd>
        <dt>{t.patient.language}</dt>
        <dd>{patient.language}</dd>
        <dt>{t.patient.zone}</dt>
        <dd>
          {zoneLabel(zone)}
          {patient.timeZone ? '' : ` — ${t.patient.clinicZone}`}
        </dd>
      </dl>
      <TableScroll label={t.patient.consentTitle}>
        <table>
          <caption>{t.patient.consentTitle}</caption>
          <thead>
            <tr>
              <th scope="col">{t.patient.channel}</th>
              <th scope="col">{t.patient.consent}</th>
              <th scope="col">{t.patient.optOut}</th>
              <th scope="col">{t.patient.undeliverable}</th>
            </tr>
          </thead>
          <tbody>
            {channels.map((channel) => {
              const consent = patient.consent[channel];
              const optOut = patient.optOuts[channel];
              const undeliverable = channel === 'email' ? patient.undeliverable?.email : undefined;
              return (
                <tr key={channel}>
                  <th scope="row">{channel.toUpperCase()}</th>
                  <td>
                    {consent ? (
                      <>
                        <Badge tone="good">{t.patient.given}</Badge>{' '}
                        {t.patient.source(sourceText(consent.source, t))} · {at(consent.at)}
                      </>
                    ) : (
                      <span class="muted">{t.patient.notRecorded}</span>
                    )}
                  </td>
                  <td>
                    {optOut ? (
                      <>
                        <Badge tone="bad">{t.patient.optedOut}</Badge>{' '}
                        {t.patient.source(sourceText(optOut.source, t))} · {at(optOut.at)}
                      </>
                    ) : (
                      <span class="muted">{t.patient.none}</span>
                    )}
                  </td>
                  <td>
                    {undeliverable ? (
                      <>
                        <Badge tone="warn">{t.patient.bounced}</Badge> {at(undeliverable.at)}
                      </>
                    ) : (
                      <span class="muted">{t.patient.none}</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>
      {patient.smsReply && (
        <p>
          {t.patient.lastReply(
            patient.smsReply.last.kind === 'opt-out' ? 'STOP' : 'START',
            at(patient.smsReply.last.at),
          )}
        </p>
      )}
    </>
  );
}
