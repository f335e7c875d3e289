import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SETTINGS } from '../../config/settings';
import type { DailyCounters } from '../../ports/counters';
import type {
  AppointmentRepository,
  BroadcastRepository,
  CareReminderRepository,
  ClinicRepository,
  MessageRepository,
  PatientRepository,
} from '../../ports/repositories';
import type { PipelineTableNames } from '../../tables';
import { DynamoBroadcastRepository } from './broadcast-repository';
import { DynamoCareReminderRepository } from './care-reminder-repository';
import { DynamoDailyCounters } from './daily-counters';
import { DynamoMessageRepository } from './message-repository';
import {
  DynamoAppointmentRepository,
  DynamoClinicRepository,
  DynamoPatientRepository,
} from './record-repositories';

export interface Repositories {
  clinics: ClinicRepository;
  patients: PatientRepository;
  appointments: AppointmentRepository;
  messages: MessageRepository;
  /** Broadcasts, kept in the messages table (broadcast-repository.ts). */
  broadcasts: BroadcastRepository;
  /** Daily counters per clinic, kept in the messages table (daily-counters.ts). */
  counters: DailyCounters;
  /** Care reminders, kept in the messages table too (care-reminder-repository.ts). */
  careReminders: CareReminderRepository;
}

/**
 * Every DynamoDB repository over one set of tables.
 *
 * @param doc - document client
 * @param names - physical table names
 * @param retentionDays - how long finished messages are kept (TTL)
 */
export function makeRepositories(
  doc: DynamoDBDocumentClient,
  names: PipelineTableNames,
  retentionDays: number = SETTINGS.messageRetentionDays.default,
): Repositories {
  return {
    clinics: new DynamoClinicRepository(doc, names.clinics),
    patients: new DynamoPatientRepository(doc, names.patients),
    appointments: new DynamoAppointmentRepository(doc, names.appointments),
    messages: new DynamoMessageRepository(doc, names.messages, { retentionDays }),
    broadcasts: new DynamoBroadcastRepository(doc, names.messages),
    counters: new DynamoDailyCounters(doc, names.messages),
    careReminders: new DynamoCareReminderRepository(doc, names.messages),
  };
}
