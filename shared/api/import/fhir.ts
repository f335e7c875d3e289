/**
 * FHIR R4 import: a Bundle (any type: collection, transaction, batch,
 * searchset) of Patient and Appointment resources. Only the elements listed
 * in the schemas below are read; everything else (identifiers, addresses,
 * reasons, descriptions, comments, practitioners) is ignored on purpose, so
 * no diagnosis or procedure text ever reaches a message.
 *
 * Mapping (also in docs/api.md):
 * - Patient.id → patientId; name (usual, else official) given[0] → firstName,
 *   family (official first) → lastName.
 * - Patient.telecom: `sms`, else `phone` with use `mobile` → phone (national
 *   numbers read in the clinic's country); `email` → email; contact points
 *   with use `old` or an ended period are skipped; rank orders the channels.
 * - Patient.communication (preferred first) language → language.
 * - Extension http://hl7.org/fhir/StructureDefinition/timezone → timeZone.
 * - Appointment.status: booked, arrived, checked-in → booked; fulfilled →
 *   completed; noshow → no-show; cancelled → cancelled (by the patient when
 *   cancelationReason's code starts with `pat`, else by the clinic);
 *   entered-in-error → cancelled by the clinic. proposed, pending and
 *   waitlist are not appointments yet and are rejected.
 * - Appointment.start (an instant with offset); minutesDuration, else
 *   end − start; appointmentType code (or text) → type, lower-cased; the
 *   Patient participant → patientId; a Location participant's display →
 *   location; the video link from `virtualService` (R5), else an https
 *   `url` contact point of a contained HealthcareService or Location.
 * - Entries are independent: a valid Patient is written even when its
 *   Appointment is rejected, and the Appointment's row says so
 *   (`patient: created`, `appointment: rejected`).
 */
import { DateTime } from 'luxon';
import * as z from 'zod';
import { type FieldIssue, PayloadTooLargeError, ValidationError } from '../../domain/errors';
import type { AppointmentStatus, Channel } from '../../domain/model';
import { toUtcIso } from '../../domain/time';
import { safeParseInput, toFieldIssues } from '../../domain/validation';
import {
  type AppointmentField,
  check,
  FieldSchemas,
  type ImportContext,
  type ImportedAppointment,
  type ImportedPatient,
  type ImportLimits,
  type ImportRow,
  INSTANT,
  type ParsedImport,
  type PatientField,
  parseImportPhone,
} from './rows';

// ---------------------------------------------------------------------------
// The elements read (loose: every other FHIR element is allowed and ignored)
// ---------------------------------------------------------------------------

const Coding = z.looseObject({ system: z.string().optional(), code: z.string().optional() });
const CodeableConcept = z.looseObject({ coding: z.array(Coding).optional(), text: z.string().optional() });
const FhirPeriod = z.looseObject({ start: z.string().optional(), end: z.string().optional() });
const Reference = z.looseObject({
  reference: z.string().optional(),
  type: z.string().optional(),
  display: z.string().optional(),
});

export const FhirContactPointSchema = z.looseObject({
  system: z.string().optional(),
  value: z.string().optional(),
  use: z.string().optional(),
  rank: z.int().min(1).optional(),
  period: FhirPeriod.optional(),
});

export const FhirHumanNameSchema = z.looseObject({
  use: z.string().optional(),
  // DSTU2 exports still write family as a list of parts; R4 has one string.
  family: z
    .string({
      error: (issue) =>
        Array.isArray(issue.input) ? 'must be a string in FHIR R4; got an array (the DSTU2 form)' : undefined,
    })
    .optional(),
  given: z.array(z.string()).optional(),
  period: FhirPeriod.optional(),
});

export const FhirPatientSchema = z.looseObject({
  resourceType: z.literal('Patient'),
  id: z.string().optional(),
  name: z.array(FhirHumanNameSchema).optional(),
  telecom: z.array(FhirContactPointSchema).optional(),
  communication: z
    .array(z.looseObject({ language: CodeableConcept, preferred: z.boolean().optional() }))
    .optional(),
  extension: z
    .array(
      z.looseObject({
        url: z.string(),
        valueCode: z.string().optional(),
        valueString: z.string().optional(),
      }),
    )
    .optional(),
});
type FhirPatient = z.output<typeof FhirPatientSchema>;

/** R5 `VirtualServiceDetail` (Appointment.virtualService, also seen in R4 exports ahead of R5). */
const VirtualService = z.looseObject({
  addressUrl: z.string().optional(),
  addressString: z.string().optional(),
  addressContactPoint: FhirContactPointSchema.optional(),
});

/** A HealthcareService or Location that an Appointment holds in `contained`. */
export const FhirServiceSchema = z.looseObject({
  resourceType: z.string(),
  id: z.string().optional(),
  telecom: z.array(FhirContactPointSchema).optional(),
  virtualService: z.array(VirtualService).optional(),
});

export const FhirAppointmentSchema = z.looseObject({
  resourceType: z.literal('Appointment'),
  id: z.string().optional(),
  status: z.string(),
  start: z.string().optional(),
  end: z.string().optional(),
  minutesDuration: z.int().optional(),
  appointmentType: CodeableConcept.optional(),
  cancelationReason: CodeableConcept.optional(),
  participant: z.array(z.looseObject({ actor: Reference.optional() })),
  virtualService: z.array(VirtualService).optional(),
  // Only HealthcareService and Location are read (for the video link); other contained resources are ignored.
  contained: z.array(z.looseObject({ resourceType: z.string().optional() })).optional(),
});
type FhirAppointment = z.output<typeof FhirAppointmentSchema>;

export const FhirBundleSchema = z.looseObject({
  resourceType: z.literal('Bundle'),
  type: z.string().optional(),
  entry: z
    .array(
      z.looseObject({
        fullUrl: z.string().optional(),
        resource: z.looseObject({ resourceType: z.string() }).optional(),
        request: z.looseObject({ method: z.string().optional() }).optional(),
      }),
    )
    .min(1, 'must list at least one resource'),
});

export const TIMEZONE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/timezone';

// ---------------------------------------------------------------------------
// Patient
// ---------------------------------------------------------------------------

const PATIENT_ELEMENT: Record<PatientField, string> = {
  patientId: 'id',
  firstName: 'name',
  lastName: 'name',
  phone: 'telecom',
  email: 'telecom',
  channels: 'telecom',
  language: 'communication',
  timeZone: 'extension',
  optOuts: 'telecom',
  // A Bundle carries no consent to topics (FHIR Consent resources are not read).
  consentUpdates: 'extension',
};

const APPOINTMENT_ELEMENT: Record<AppointmentField, string> = {
  appointmentId: 'id',
  patientId: 'participant',
  startAt: 'start',
  durationMinutes: 'minutesDuration',
  type: 'appointmentType',
  location: 'participant',
  videoLink: 'virtualService',
  status: 'status',
  cancelledBy: 'cancelationReason',
};

/** True when a FHIR period has ended before `now` (partial dates compare by their own precision). */
function ended(period: { end?: string | undefined } | undefined, now: string): boolean {
  const end = period?.end;
  return end !== undefined && end < now.slice(0, end.length);
}

function readName(resource: FhirPatient, at: (path: string) => string, issues: FieldIssue[]) {
  const names = (resource.name ?? []).filter((name) => name.use !== 'old' && name.use !== 'maiden');
  const usual = names.find((name) => name.use === 'usual' && name.given?.length);
  const official = names.find((name) => name.use === 'official');
  const chosen = usual ?? official ?? names.find((name) => name.given?.length);
  const given = chosen?.given?.[0];
  // A name that is there but has no given part is not a missing name.
  if (given === undefined && names.length > 0) {
    issues.push({ path: at('name'), message: 'has no given name to write to the patient with' });
  }
  const firstName =
    given === undefined && names.length > 0
      ? undefined
      : check(FieldSchemas.firstName, given, at('name'), issues);
  const family = official?.family ?? usual?.family ?? chosen?.family;
  const lastName = family === undefined ? null : check(FieldSchemas.lastName, family, at('name'), issues);
  return { firstName, lastName };
}

interface ContactChoice {
  index: number;
  value: string;
  rank: number;
}

function pick(
  telecom: readonly z.output<typeof FhirContactPointSchema>[],
  now: string,
  accept: (point: z.output<typeof FhirContactPointSchema>) => number | undefined,
): ContactChoice | undefined {
  const choices = telecom
    .map((point, index) => ({ point, index, preference: accept(point) }))
    .filter(
      (choice): choice is typeof choice & { preference: number } =>
        choice.preference !== undefined &&
        Boolean(choice.point.value?.trim()) &&
        choice.point.use !== 'old' &&
        !ended(choice.point.period, now),
    )
    .sort(
      (a, b) =>
        (a.point.rank ?? Number.MAX_SAFE_INTEGER) - (b.point.rank ?? Number.MAX_SAFE_INTEGER) ||
        a.preference - b.preference ||
        a.index - b.index,
    );
  const best = choices[0];
  return best
    ? {
        index: best.index,
        value: best.point.value?.trim() ?? '',
        rank: best.point.rank ?? Number.MAX_SAFE_INTEGER,
      }
    : undefined;
}

function readTelecom(
  resource: FhirPatient,
  context: FhirContext,
  at: (path: string) => string,
  issues: FieldIssue[],
) {
  const telecom = resource.telecom ?? [];
  // An explicit `sms` contact point beats a mobile `phone` at the same rank.
  const sms = pick(telecom, context.now, (point) =>
    point.system === 'sms' ? 0 : point.system === 'phone' && point.use === 'mobile' ? 1 : undefined,
  );
  const mail = pick(telecom, context.now, (point) => (point.system === 'email' ? 0 : undefined));
  const phone = sms
    ? parseImportPhone(sms.value, context.country, at(`telecom.${sms.index}.value`), issues)
    : null;
  const email = mail
    ? check(FieldSchemas.email, mail.value, at(`telecom.${mail.index}.value`), issues)
    : null;
  const channels: Channel[] = [];
  if (sms && mail)
    channels.push(...(mail.rank < sms.rank ? (['email', 'sms'] as const) : (['sms', 'email'] as const)));
  else if (sms) channels.push('sms');
  else if (mail) channels.push('email');
  else
    issues.push({
      path: at('telecom'),
      message: 'needs an sms or mobile phone, or an email, to send messages to',
    });
  return { phone, email, channels };
}

function languageCode(concept: z.output<typeof CodeableConcept>): string | undefined {
  const coding =
    concept.coding?.find((c) => c.system === 'urn:ietf:bcp:47' && c.code) ??
    concept.coding?.find((c) => c.code);
  const code = coding?.code?.trim();
  if (!code) return undefined;
  const [primary, region] = code.split('-');
  return region ? `${primary?.toLowerCase()}-${region.toUpperCase()}` : primary?.toLowerCase();
}

function readLanguage(resource: FhirPatient, at: (path: string) => string, issues: FieldIssue[]) {
  const communication = resource.communication ?? [];
  const index = Math.max(
    0,
    communication.findIndex((item) => item.preferred === true),
  );
  const chosen = communication[index];
  if (!chosen) return null;
  return (
    check(
      FieldSchemas.language,
      languageCode(chosen.language),
      at(`communication.${index}.language`),
      issues,
    ) ?? null
  );
}

function readTimeZone(resource: FhirPatient, at: (path: string) => string, issues: FieldIssue[]) {
  const index = (resource.extension ?? []).findIndex((item) => item.url === TIMEZONE_EXTENSION);
  const extension = resource.extension?.[index];
  if (!extension) return undefined;
  return check(
    FieldSchemas.timeZone,
    extension.valueCode ?? extension.valueString,
    at(`extension.${index}`),
    issues,
  );
}

function readPatient(
  resource: FhirPatient,
  context: FhirContext,
  at: (path: string) => string,
  issues: FieldIssue[],
): ImportedPatient | undefined {
  const before = issues.length;
  const patientId = check(FieldSchemas.id, resource.id, at('id'), issues);
  const { firstName, lastName } = readName(resource, at, issues);
  const { phone, email, channels } = readTelecom(resource, context, at, issues);
  const language = readLanguage(resource, at, issues);
  const timeZone = readTimeZone(resource, at, issues);
  if (issues.length > before || !patientId || !firstName) return undefined;
  return {
    patientId,
    firstName,
    lastName: lastName ?? null,
    phone: phone ?? null,
    email: email ?? null,
    channels,
    language,
    timeZone,
    optOuts: {},
  };
}

// ---------------------------------------------------------------------------
// Appointment
// ---------------------------------------------------------------------------

const STATUS_MAP: Record<string, AppointmentStatus> = {
  booked: 'booked',
  arrived: 'booked',
  'checked-in': 'booked',
  fulfilled: 'completed',
  noshow: 'no-show',
  cancelled: 'cancelled',
  'entered-in-error': 'cancelled',
};

function readStart(text: string | undefined, path: string, issues: FieldIssue[]): DateTime | undefined {
  if (!text) {
    issues.push({ path, message: 'is required' });
    return undefined;
  }
  const at = INSTANT.test(text) ? DateTime.fromISO(text, { setZone: true }) : undefined;
  if (!at?.isValid) {
    issues.push({
      path,
      message: 'must be a FHIR instant with an offset, such as 2026-12-08T10:00:00-05:00',
    });
    return undefined;
  }
  return at;
}

function readDuration(
  resource: FhirAppointment,
  start: DateTime | undefined,
  at: (path: string) => string,
  issues: FieldIssue[],
): number | undefined {
  if (resource.minutesDuration !== undefined) {
    return check(FieldSchemas.durationMinutes, resource.minutesDuration, at('minutesDuration'), issues);
  }
  if (resource.end === undefined) {
    issues.push({ path: at('minutesDuration'), message: 'is required when end is absent' });
    return undefined;
  }
  const end = readStart(resource.end, at('end'), issues);
  if (!start || !end) return undefined;
  const minutes = end.diff(start, 'minutes').minutes;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 720) {
    issues.push({ path: at('end'), message: 'must be a whole number of minutes after start, at most 720' });
    return undefined;
  }
  return minutes;
}

function readType(resource: FhirAppointment, at: (path: string) => string, issues: FieldIssue[]) {
  const concept = resource.appointmentType;
  const text = concept?.coding?.find((coding) => coding.code)?.code ?? concept?.text;
  if (!text) return null;
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return check(FieldSchemas.type, slug, at('appointmentType'), issues) ?? null;
}

/** The patient and location of an appointment's participants. */
function readParticipants(
  resource: FhirAppointment,
  context: FhirContext,
  at: (path: string) => string,
  issues: FieldIssue[],
) {
  const patients = new Set<string>();
  let location: string | null = null;
  for (const participant of resource.participant) {
    const actor = participant.actor;
    const reference = actor?.reference ?? '';
    const byUrl = context.patientsByFullUrl.get(reference);
    const local = /(?:^|\/)Patient\/([^/]+)$/.exec(reference);
    if (byUrl) patients.add(byUrl);
    else if (local?.[1]) patients.add(local[1]);
    else if (/(?:^|\/)Location\/[^/]+$/.test(reference) || actor?.type === 'Location') {
      location ??= actor?.display?.trim() || null;
    }
  }
  const [patientId, ...others] = patients;
  if (!patientId) issues.push({ path: at('participant'), message: 'names no Patient' });
  if (others.length > 0) issues.push({ path: at('participant'), message: 'names more than one Patient' });
  const checkedLocation =
    location === null ? null : (check(FieldSchemas.location, location, at('participant'), issues) ?? null);
  return { patientId: others.length === 0 ? patientId : undefined, location: checkedLocation };
}

/** Resources whose contact points may carry a visit's video link. */
const SERVICE_TYPES: ReadonlySet<string> = new Set(['HealthcareService', 'Location']);

interface LinkSource {
  value: string;
  /** Path within the Appointment resource. */
  path: string;
}

function virtualServiceLinks(
  services: readonly z.output<typeof VirtualService>[] | undefined,
  path: string,
): LinkSource[] {
  return (services ?? []).flatMap((service, index): LinkSource[] => {
    const base = `${path}.${index}`;
    const url = service.addressUrl?.trim();
    if (url) return [{ value: url, path: `${base}.addressUrl` }];
    const point = service.addressContactPoint;
    const pointValue = point?.value?.trim();
    if (point?.system === 'url' && pointValue) {
      return [{ value: pointValue, path: `${base}.addressContactPoint.value` }];
    }
    const text = service.addressString?.trim();
    if (text && /^[a-z][a-z0-9+.-]*:\/\//i.test(text))
      return [{ value: text, path: `${base}.addressString` }];
    return [];
  });
}

/** The links a contained HealthcareService or Location offers, in the order they are tried. */
function containedLinks(
  resource: FhirAppointment,
  context: FhirContext,
  at: (path: string) => string,
  issues: FieldIssue[],
): LinkSource[] {
  const links: LinkSource[] = [];
  for (const [index, item] of (resource.contained ?? []).entries()) {
    if (!item.resourceType || !SERVICE_TYPES.has(item.resourceType)) continue;
    const shape = safeParseInput(FhirServiceSchema, item);
    if (!shape.success) {
      issues.push(...toFieldIssues(shape.error.issues, at(`contained.${index}`)));
      continue;
    }
    links.push(...virtualServiceLinks(shape.data.virtualService, `contained.${index}.virtualService`));
    for (const [point, contact] of (shape.data.telecom ?? []).entries()) {
      const value = contact.value?.trim();
      const current = contact.use !== 'old' && !ended(contact.period, context.now);
      if (contact.system === 'url' && value && current) {
        links.push({ value, path: `contained.${index}.telecom.${point}.value` });
      }
    }
  }
  return links;
}

/**
 * The video link of an Appointment: the R5 `virtualService` address (which
 * must then be a usable https link), else the first https `url` of a
 * contained HealthcareService or Location. A url there that is not https is
 * most likely a web page: it is named in the row's notes, not read.
 * Undefined keeps a stored link.
 */
function readVideoLink(
  resource: FhirAppointment,
  context: FhirContext,
  at: (path: string) => string,
  issues: FieldIssue[],
  notes: string[],
): string | undefined {
  const explicit = virtualServiceLinks(resource.virtualService, 'virtualService')[0];
  const contained = containedLinks(resource, context, at, issues);
  if (explicit) return check(FieldSchemas.videoLink, explicit.value, at(explicit.path), issues);
  for (const source of contained) {
    const link = safeParseInput(FieldSchemas.videoLink, source.value);
    if (link.success) return link.data;
    notes.push(
      `${at(source.path)} was not read as the video link: it ${link.error.issues[0]?.message ?? 'is invalid'}`,
    );
  }
  return undefined;
}

function readAppointment(
  resource: FhirAppointment,
  context: FhirContext,
  at: (path: string) => string,
  issues: FieldIssue[],
  notes: string[],
): { patientId: string | undefined; appointment: ImportedAppointment | undefined } {
  const before = issues.length;
  const appointmentId = check(FieldSchemas.id, resource.id, at('id'), issues);
  const status = STATUS_MAP[resource.status];
  if (!status) {
    issues.push({
      path: at('status'),
      message: `is ${resource.status}: only booked, arrived, checked-in, fulfilled, noshow, cancelled and entered-in-error appointments are imported`,
    });
  }
  const start = readStart(resource.start, at('start'), issues);
  const durationMinutes = readDuration(resource, start, at, issues);
  const type = readType(resource, at, issues);
  const { patientId, location } = readParticipants(resource, context, at, issues);
  const videoLink = readVideoLink(resource, context, at, issues, notes);
  if (issues.length > before || !appointmentId || !status || !start || !durationMinutes || !patientId) {
    // The patient it names is still reported, so a rejected row says what happened to that patient.
    return { patientId, appointment: undefined };
  }
  const byPatient =
    resource.cancelationReason?.coding?.some((coding) => coding.code?.startsWith('pat')) ?? false;
  const appointment: ImportedAppointment = {
    appointmentId,
    patientId,
    startAt: toUtcIso(start),
    durationMinutes,
    type,
    location,
    videoLink,
    status,
    ...(status === 'cancelled'
      ? { cancelledBy: resource.status === 'cancelled' && byPatient ? 'patient' : 'clinic' }
      : {}),
  };
  return { patientId, appointment };
}

// ---------------------------------------------------------------------------
// Bundle
// ---------------------------------------------------------------------------

interface FhirContext extends ImportContext {
  now: string;
  patientsByFullUrl: Map<string, string>;
}

/**
 * Reads a FHIR R4 Bundle of Patient and Appointment resources.
 *
 * @param text - the JSON document
 * @param context - the clinic's zone and country, and now (to skip ended contact points)
 * @param limits - the most entries accepted
 * @throws ValidationError for a document that is not a Bundle
 * @throws PayloadTooLargeError for more entries than the limit
 */
export function parseFhirImport(
  text: string,
  context: ImportContext & { now: string },
  limits: ImportLimits,
): ParsedImport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw ValidationError.field('body', 'is not valid JSON');
  }
  const count = (json as { entry?: unknown })?.entry;
  if (Array.isArray(count) && count.length > limits.maxRows) {
    throw new PayloadTooLargeError(
      `The Bundle has ${count.length} entries; the limit is ${limits.maxRows}. Split it.`,
      limits.maxRows,
    );
  }
  const parsed = safeParseInput(FhirBundleSchema, json);
  if (!parsed.success) throw new ValidationError(toFieldIssues(parsed.error.issues));
  const entries = parsed.data.entry;

  const patientsByFullUrl = new Map<string, string>();
  for (const entry of entries) {
    const resource = entry.resource as { resourceType: string; id?: unknown } | undefined;
    if (entry.fullUrl && resource?.resourceType === 'Patient' && typeof resource.id === 'string') {
      patientsByFullUrl.set(entry.fullUrl, resource.id);
    }
  }
  const fhirContext: FhirContext = { ...context, patientsByFullUrl };

  const rows: ImportRow[] = [];
  const ignored: ParsedImport['ignored'] = [];
  entries.forEach((entry, index) => {
    const resource = entry.resource;
    const resourceType = resource?.resourceType;
    if (resourceType !== 'Patient' && resourceType !== 'Appointment') {
      ignored.push({ entry: index, resourceType: resourceType ?? '(none)' });
      return;
    }
    const prefix = `entry.${index}.resource`;
    const at = (path: string) => `${prefix}.${path}`;
    const elements: Record<string, string> =
      resourceType === 'Patient' ? PATIENT_ELEMENT : APPOINTMENT_ELEMENT;
    const issues: FieldIssue[] = [];
    const base = {
      row: index + 1,
      entry: index,
      resourceType,
      issues,
      pathOf: (field: string) => at(elements[field] ?? field),
    } as const;
    if (entry.request?.method && !['PUT', 'POST'].includes(entry.request.method.toUpperCase())) {
      issues.push({
        path: `entry.${index}.request.method`,
        message: `${entry.request.method} is not imported; send the resource (a cancelled Appointment to cancel)`,
      });
    }
    const rawId: unknown = resource?.id;
    const id = typeof rawId === 'string' ? rawId : undefined;
    if (resourceType === 'Patient') {
      const shape = safeParseInput(FhirPatientSchema, resource);
      if (!shape.success) issues.push(...toFieldIssues(shape.error.issues, prefix));
      const patient = shape.success ? readPatient(shape.data, fhirContext, at, issues) : undefined;
      rows.push({
        ...base,
        ...(id ? { patientId: id } : {}),
        ...(patient && issues.length === 0 ? { patient } : {}),
      });
      return;
    }
    const shape = safeParseInput(FhirAppointmentSchema, resource);
    if (!shape.success) issues.push(...toFieldIssues(shape.error.issues, prefix));
    const notes: string[] = [];
    const read = shape.success ? readAppointment(shape.data, fhirContext, at, issues, notes) : undefined;
    const appointment = read?.appointment;
    rows.push({
      ...base,
      ...(notes.length > 0 ? { notes } : {}),
      ...(id ? { appointmentId: id } : {}),
      ...(read?.patientId ? { patientId: read.patientId } : {}),
      ...(appointment && issues.length === 0 ? { appointment } : {}),
    });
  });
  return { format: 'fhir', rows, ignored };
}
