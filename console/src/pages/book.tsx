/** Book a visit: patient, local date and time in the clinic's zone (named), length, type, place. */
import { useState } from 'preact/hooks';
import { describeError } from '../api/client';
import { PageTitle } from '../components';
import { useApp } from '../context';
import { useStrings } from '../i18n';
import { href } from '../router';
import { utcOf } from '../time';
import { VisitFields } from '../visit-fields';

function newAppointmentId(): string {
  const random = crypto.getRandomValues(new Uint8Array(6));
  return `a-${Array.from(random, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

export function BookPage() {
  const { api, clinicId, clinic } = useApp();
  const { t } = useStrings();
  const [form, setForm] = useState({
    patientId: '',
    date: '',
    time: '',
    durationMinutes: 30,
    type: 'default',
    location: '',
  });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const startAt = utcOf(form.date, form.time, clinic.timeZone);
    if (!startAt) {
      setError(t.appointment.badTime);
      return;
    }
    setBusy(true);
    const appointmentId = newAppointmentId();
    const {
      data,
      error: failure,
      response,
    } = await api.PUT('/v1/clinics/{clinicId}/appointments/{appointmentId}', {
      params: { path: { clinicId, appointmentId } },
      body: {
        patientId: form.patientId.trim(),
        startAt,
        durationMinutes: form.durationMinutes,
        type: form.type.trim() || 'default',
        ...(form.location.trim() ? { location: form.location.trim() } : {}),
      },
    });
    setBusy(false);
    if (!data) {
      setError(describeError(failure, response.status));
      return;
    }
    location.hash = href({ page: 'appointment', appointmentId: data.appointmentId });
  };

  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.book.title}</PageTitle>
      <p>
        <a href={href({ page: 'schedule' })}>{t.appointment.back}</a>
      </p>
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        {error && (
          <p class="error" role="alert" id="book-error">
            {error}
          </p>
        )}
        <label>
          {t.book.patientId}
          <input
            required
            value={form.patientId}
            onInput={(event) => setForm({ ...form, patientId: event.currentTarget.value })}
          />
        </label>
        <VisitFields form={form} setForm={setForm} zone={clinic.timeZone} t={t}>
          <label>
            {t.appointment.type}
            <input
              value={form.type}
              onInput={(event) => setForm({ ...form, type: event.currentTarget.value })}
            />
          </label>
        </VisitFields>
        <div>
          <button type="submit" class="primary" disabled={busy}>
            {t.book.submit}
          </button>
        </div>
      </form>
    </section>
  );
}
