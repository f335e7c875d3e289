/**
 * The fields of a visit's time and place, shared by booking a visit and
 * moving one: the clinic's zone (named), local date, time and length, then
 * anything the form adds (the type, when booking), then the place.
 */
import type { ComponentChildren } from 'preact';
import type { Strings } from './i18n';

export interface VisitTimeAndPlace {
  date: string;
  time: string;
  durationMinutes: number;
  location: string;
}

export function VisitFields<F extends VisitTimeAndPlace>({
  form,
  setForm,
  zone,
  t,
  children,
}: {
  form: F;
  setForm: (form: F) => void;
  zone: string;
  t: Strings;
  children?: ComponentChildren;
}) {
  return (
    <>
      <p class="zone-note">{t.common.zoneLabel(zone)}</p>
      <div class="row">
        <label>
          {t.appointment.date}
          <input
            type="date"
            required
            value={form.date}
            onInput={(event) => setForm({ ...form, date: event.currentTarget.value })}
          />
        </label>
        <label>
          {t.appointment.time}
          <input
            type="time"
            required
            value={form.time}
            onInput={(event) => setForm({ ...form, time: event.currentTarget.value })}
          />
        </label>
        <label>
          {t.appointment.duration}
          <input
            type="number"
            min={1}
            max={720}
            required
            value={form.durationMinutes}
            onInput={(event) => setForm({ ...form, durationMinutes: Number(event.currentTarget.value) })}
          />
        </label>
      </div>
      {children}
      <label>
        {t.appointment.place}
        <input
          value={form.location}
          onInput={(event) => setForm({ ...form, location: event.currentTarget.value })}
        />
      </label>
    </>
  );
}
