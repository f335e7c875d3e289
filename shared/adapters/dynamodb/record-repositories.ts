/**
 * DynamoDB adapters for clinics, patients and appointments: versioned
 * records written whole with optimistic concurrency (putVersioned).
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import type { Appointment, Clinic, Patient } from '../../domain/model';
import {
  readAppointment,
  readClinic,
  readPatient,
  writableAppointment,
  writableClinic,
  writablePatient,
} from '../../domain/stored';
import { toUtcIso } from '../../domain/time';
import type {
  AppointmentRepository,
  ClinicRepository,
  ExpectedVersion,
  Page,
  PatientRepository,
} from '../../ports/repositories';
import { INDEX } from '../../tables';
import { queryPage } from './cursor';
import { putVersioned, withoutKeys } from './versioned';

/**
 * One table of versioned records: consistent reads parsed for shape only
 * (storage-only attributes dropped, defaults filled in), so a record that
 * was valid when written stays readable; whole-record writes checked for
 * the same shape (the rules belong to the edge that accepted the input)
 * and guarded by an optimistic version check.
 */
class VersionedTable<T extends { version: number }> {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly table: string,
    private readonly read: (item: unknown) => T,
    private readonly writable: (record: T) => T,
    private readonly storageKeys: readonly string[] = [],
  ) {}

  async get(key: Record<string, string>): Promise<T | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }),
    );
    return Item ? this.read(withoutKeys(Item, this.storageKeys)) : undefined;
  }

  /** Checks the shape (ValidationError names each bad field) and writes `record` plus any storage-only attributes. */
  async put(
    record: T,
    expectedVersion: ExpectedVersion,
    describe: string,
    storage: (valid: T) => Record<string, unknown> = () => ({}),
  ): Promise<void> {
    const valid = this.writable(record);
    await putVersioned(
      this.doc,
      this.table,
      { ...valid, ...storage(valid) },
      expectedVersion,
      'clinicId',
      describe,
    );
  }
}

export class DynamoClinicRepository implements ClinicRepository {
  private readonly records: VersionedTable<Clinic>;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.records = new VersionedTable(doc, table, readClinic, writableClinic);
  }

  get(clinicId: string): Promise<Clinic | undefined> {
    return this.records.get({ clinicId });
  }

  put(clinic: Clinic, expectedVersion: ExpectedVersion): Promise<void> {
    return this.records.put(clinic, expectedVersion, `clinic ${clinic.clinicId}`);
  }
}

export class DynamoPatientRepository implements PatientRepository {
  private readonly records: VersionedTable<Patient>;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    table: string,
  ) {
    // phoneKey (`${clinicId}#${phone}`) exists only in storage, for the by-phone index.
    this.records = new VersionedTable(doc, table, readPatient, writablePatient, ['phoneKey']);
  }

  get(clinicId: string, patientId: string): Promise<Patient | undefined> {
    return this.records.get({ clinicId, patientId });
  }

  put(patient: Patient, expectedVersion: ExpectedVersion): Promise<void> {
    return this.records.put(
      patient,
      expectedVersion,
      `patient ${patient.patientId} of clinic ${patient.clinicId}`,
      (valid) => (valid.phone ? { phoneKey: `${valid.clinicId}#${valid.phone}` } : {}),
    );
  }

  async findByPhone(clinicId: string, phone: string): Promise<Patient[]> {
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.records.table,
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

  async listPage(clinicId: string, page: { limit?: number; cursor?: string } = {}): Promise<Page<Patient>> {
    return queryPage(
      this.doc,
      { keys: ['clinicId', 'patientId'], fixed: { clinicId } },
      page,
      100,
      (start) =>
        new QueryCommand({
          TableName: this.records.table,
          KeyConditionExpression: 'clinicId = :clinicId',
          ExpressionAttributeValues: { ':clinicId': clinicId },
          ConsistentRead: true,
          ...start,
        }),
      (item) => readPatient(withoutKeys(item, ['phoneKey'])),
    );
  }
}

export class DynamoAppointmentRepository implements AppointmentRepository {
  private readonly records: VersionedTable<Appointment>;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {
    this.records = new VersionedTable(doc, table, readAppointment, writableAppointment);
  }

  get(clinicId: string, appointmentId: string): Promise<Appointment | undefined> {
    return this.records.get({ clinicId, appointmentId });
  }

  put(appointment: Appointment, expectedVersion: ExpectedVersion): Promise<void> {
    return this.records.put(
      appointment,
      expectedVersion,
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
    const period = { from: range.from, to: range.to };
    const expected = {
      keys: ['clinicId', 'appointmentId', 'startAt'],
      fixed: { clinicId },
      query: period,
      otherQuery: 'was returned for another period; send the same from and to',
    };
    const keys = await queryPage(
      this.doc,
      expected,
      page,
      100,
      (start) =>
        new QueryCommand({
          TableName: this.table,
          IndexName: INDEX.appointmentsByStart,
          KeyConditionExpression: 'clinicId = :clinicId AND startAt BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':clinicId': clinicId, ':from': range.from, ':to': lastIncluded },
          ...start,
        }),
      (item) => String(item.appointmentId),
    );
    // The index holds keys only (shared/tables.ts) and lags the table: read each
    // appointment and keep those that still start in the period, in start order.
    const read = await Promise.all(keys.items.map((appointmentId) => this.get(clinicId, appointmentId)));
    const items = read
      .filter(
        (appointment): appointment is Appointment =>
          appointment !== undefined && appointment.startAt >= range.from && appointment.startAt < range.to,
      )
      .sort((a, b) => a.startAt.localeCompare(b.startAt) || a.appointmentId.localeCompare(b.appointmentId));
    return { items, ...(keys.cursor ? { cursor: keys.cursor } : {}) };
  }
}
