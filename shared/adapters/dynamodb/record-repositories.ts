/**
 * DynamoDB adapters for clinics, patients and appointments: versioned
 * records written whole with optimistic concurrency (putVersioned).
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import {
  type Appointment,
  AppointmentSchema,
  type Clinic,
  ClinicSchema,
  type Patient,
  PatientSchema,
} from '../../domain/model';
import { toUtcIso } from '../../domain/time';
import { parseOrThrow } from '../../domain/validation';
import type {
  AppointmentRepository,
  ClinicRepository,
  ExpectedVersion,
  Page,
  PatientRepository,
} from '../../ports/repositories';
import { INDEX } from '../../tables';
import { decodeCursor, encodeCursor, putVersioned, withoutKeys } from './versioned';

export class DynamoClinicRepository implements ClinicRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(clinicId: string): Promise<Clinic | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { clinicId }, ConsistentRead: true }),
    );
    return Item ? ClinicSchema.parse(Item) : undefined;
  }

  async put(clinic: Clinic, expectedVersion: ExpectedVersion): Promise<void> {
    const item = parseOrThrow(ClinicSchema, clinic, 'clinic');
    await putVersioned(this.doc, this.table, item, expectedVersion, 'clinicId', `clinic ${clinic.clinicId}`);
  }
}

/** Storage-only attribute of a patient item: the by-phone index key. */
const PATIENT_STORAGE_KEYS = ['phoneKey'] as const;

export class DynamoPatientRepository implements PatientRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(clinicId: string, patientId: string): Promise<Patient | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { clinicId, patientId }, ConsistentRead: true }),
    );
    return Item ? PatientSchema.parse(withoutKeys(Item, PATIENT_STORAGE_KEYS)) : undefined;
  }

  async put(patient: Patient, expectedVersion: ExpectedVersion): Promise<void> {
    const record = parseOrThrow(PatientSchema, patient, 'patient');
    const item = { ...record, ...(record.phone ? { phoneKey: `${record.clinicId}#${record.phone}` } : {}) };
    await putVersioned(
      this.doc,
      this.table,
      item,
      expectedVersion,
      'clinicId',
      `patient ${patient.patientId} of clinic ${patient.clinicId}`,
    );
  }

  async findByPhone(clinicId: string, phone: string): Promise<Patient[]> {
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: INDEX.patientsByPhone,
        KeyConditionExpression: 'phoneKey = :phoneKey',
        ExpressionAttributeValues: { ':phoneKey': `${clinicId}#${phone}` },
      }),
    );
    // The index is eventually consistent and keys-only: read each record and
    // keep only those that still carry the number.
    const patients = await Promise.all(Items.map((item) => this.get(clinicId, String(item.patientId))));
    return patients.filter((patient): patient is Patient => patient?.phone === phone);
  }
}

export class DynamoAppointmentRepository implements AppointmentRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(clinicId: string, appointmentId: string): Promise<Appointment | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { clinicId, appointmentId }, ConsistentRead: true }),
    );
    return Item ? AppointmentSchema.parse(Item) : undefined;
  }

  async put(appointment: Appointment, expectedVersion: ExpectedVersion): Promise<void> {
    const item = parseOrThrow(AppointmentSchema, appointment, 'appointment');
    await putVersioned(
      this.doc,
      this.table,
      item,
      expectedVersion,
      'clinicId',
      `appointment ${appointment.appointmentId} of clinic ${appointment.clinicId}`,
    );
  }

  async listByStart(
    clinicId: string,
    range: { from: string; to: string },
    page: { limit?: number; cursor?: string } = {},
  ): Promise<Page<Appointment>> {
    // BETWEEN is inclusive; the stored format has millisecond precision, so
    // [from, to) is [from, to − 1 ms].
    const lastIncluded = toUtcIso(DateTime.fromISO(range.to, { zone: 'utc' }).minus({ milliseconds: 1 }));
    const exclusiveStart = decodeCursor(page.cursor);
    const { Items = [], LastEvaluatedKey } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: INDEX.appointmentsByStart,
        KeyConditionExpression: 'clinicId = :clinicId AND startAt BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':clinicId': clinicId, ':from': range.from, ':to': lastIncluded },
        Limit: page.limit ?? 100,
        ...(exclusiveStart ? { ExclusiveStartKey: exclusiveStart } : {}),
      }),
    );
    const cursor = encodeCursor(LastEvaluatedKey);
    return { items: Items.map((item) => AppointmentSchema.parse(item)), ...(cursor ? { cursor } : {}) };
  }
}
