/**
 * One seed's world: the shipped handlers over DynamoDB Local on a simulated
 * clock (test/support/pipeline-rig.ts), the staff API composed by its own
 * composition root on the same tables and clock, and handle-inbound fed
 * the SQS records AWS delivers. Faults are armed per step and injected
 * through wrappers around the ports (a crash before or after a call), the
 * mocked AWS clients (throttling, 5xx, timeouts with an unknown outcome,
 * duplicate SQS deliveries) and the provider call itself (a reschedule,
 * cancel, STOP or START landing while a send is at the provider).
 *
 * Everything the invariants need is written to a log with one sequence
 * number for the whole run: staff changes as committed, opt states as
 * stored, provider calls as made.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { InternalServiceErrorException, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { InternalErrorException, OptedOutException, ThrottledException } from '@aws-sdk/client-sns';
import { BatchGetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { DateTime } from 'luxon';
import { composeHandleReceipts } from '../../functions/handle-receipts/compose';
import { makeHandler as makeReceiptsHandler } from '../../functions/handle-receipts/handler';
import { composeStaffApi } from '../../functions/staff-api/compose';
import { makeHandler as makeStaffApiHandler } from '../../functions/staff-api/handler';
import { inboundEvent } from '../../local/inbound';
import { receiptQueueBody } from '../../local/receipts';
import type { DynamoClients } from '../../shared/adapters/dynamodb/client';
import { CapturingLogger } from '../../shared/adapters/local/recorders';
import { SWEEP_LOOKAHEAD_SECONDS } from '../../shared/config/settings';
import type { Appointment, Patient } from '../../shared/domain/model';
import { toUtcIso } from '../../shared/domain/time';
import { CLINICS_CLAIM, GROUPS_CLAIM } from '../../shared/http/auth';
import { toApiEvent } from '../../shared/http/events';
import type { EmailSender, SmsSender } from '../../shared/ports/outbound';
import type { TableNames } from '../../shared/tables';
import { makeClinic, makePatient } from '../support/factories';
import { PipelineRig } from '../support/pipeline-rig';
import { type AwsAnswers, awsMocks } from './aws-hub';
import { hashChance } from './prng';
import type { CrashTarget, Faults, InFlight, ProviderFault, Schedule, SimPatient, Step } from './schedule';

/** The error every injected crash throws: the Lambda "died" here. */
export class InjectedCrashError extends Error {
  constructor(where: string) {
    super(`injected crash ${where}`);
    this.name = 'InjectedCrashError';
  }
}

export type CallOutcome = 'accepted' | ProviderFault;

/** A call that reached a provider (SNS or SES), with what the provider did. */
export interface ProviderCallRecord {
  seq: number;
  at: string;
  channel: 'sms' | 'email';
  clinicId: string;
  patientId: string;
  messageId: string;
  to: string;
  text: string;
  outcome: CallOutcome;
  /** The provider's id, when it took the message. */
  providerMessageId?: string;
}

/** An appointment as stored right after a staff change committed. */
export interface CommitRecord {
  seq: number;
  appointmentId: string;
  status: Appointment['status'];
  startAt: string;
  scheduleVersion: number;
}

/** A patient's SMS opt state as stored at a checkpoint. */
export interface OptRecord {
  seq: number;
  patientId: string;
  smsOptedOut: boolean;
  /** The stored opt-outs (the counters' recount takes each one ever seen). */
  optOuts: Patient['optOuts'];
}

export interface SimLog {
  calls: ProviderCallRecord[];
  commits: CommitRecord[];
  opts: OptRecord[];
  /** Faults injected, by kind. */
  faults: Record<string, number>;
  /** Messages whose send died before the provider call (an injected crash): never at a provider. */
  unreached: string[];
  /** Problems seen while running (a 5xx from the API, an error that no fault explains). */
  problems: string[];
}

interface InFlightSend {
  messageId: string;
  clinicId: string;
  patientId: string;
  channel: 'sms' | 'email';
}

const context = {} as Context;
const WRAPPED: Record<CrashTarget, ReadonlySet<string>> = {
  // Every repository call the functions make, reads and writes; not the
  // sweep's index iterator (an async iterable) nor earliestDueAt, which
  // only the simulated-time driver calls.
  messages: new Set([
    'get',
    'create',
    'claim',
    'markSending',
    'markSent',
    'finish',
    'reschedule',
    'withdraw',
    'listForAppointment',
    'listForPatient',
  ]),
  appointments: new Set(['get']),
  queue: new Set(['enqueue']),
  sms: new Set(['send']),
  email: new Set(['send']),
};

function keyOf(args: readonly unknown[]): string {
  for (const arg of args) {
    if (arg && typeof arg === 'object') {
      const record = arg as Record<string, unknown>;
      if (typeof record.messageId === 'string') return record.messageId;
      if (typeof record.appointmentId === 'string') return record.appointmentId;
      if (Array.isArray(arg)) return arg.map((item) => keyOf([item])).join(',');
      if (record.request) return keyOf([record.request]);
    }
    if (typeof arg === 'string') return arg;
  }
  return '-';
}

export class SimWorld {
  readonly rig: PipelineRig;
  readonly log: SimLog = { calls: [], commits: [], opts: [], unreached: [], faults: {}, problems: [] };
  private seq = 0;
  private armed: Step | undefined;
  private inFlightDone = false;
  private readonly occurrences = new Map<string, number>();
  private readonly sending = new AsyncLocalStorage<InFlightSend>();
  private readonly staffApi: ReturnType<typeof makeStaffApiHandler>;
  private readonly receipts: ReturnType<typeof makeReceiptsHandler>;
  /** Receipts whose delivery failed (the message was still being sent): SQS delivers them again. */
  private pendingReceipts: SQSRecord[] = [];
  /** Texts whose delivery failed; SQS delivers them again (at the next step). */
  private pendingTexts: SQSEvent[] = [];
  private idSeq = 0;

  constructor(
    readonly schedule: Schedule,
    private readonly clients: DynamoClients,
    private readonly names: TableNames,
    streams: DynamoDBStreamsClient,
  ) {
    const crashing =
      <T extends object>(target: CrashTarget) =>
      (real: T): T =>
        this.crashing(target, real);
    this.rig = new PipelineRig(clients, names, streams, {
      messages: crashing('messages'),
      appointments: crashing('appointments'),
      queue: crashing('queue'),
      sms: (real) => this.withSend('sms', crashing<SmsSender>('sms')(real)),
      email: (real) => this.withSend('email', crashing<EmailSender>('email')(real)),
      earliestDueAt: () => this.earliestDueAt(),
      settings: {
        // The clinic cache keeps its deployed default (60 s of simulated time):
        // no step changes a clinic, and warm Lambdas keep their cache.
        inboundNumbers: new Map(schedule.clinics.map((clinic) => [clinic.number, clinic.clinicId])),
      },
      mocks: awsMocks(),
    });
    this.rig.clock.set(DateTime.fromISO(schedule.start, { zone: 'utc' }));
    this.staffApi = makeStaffApiHandler(
      composeStaffApi(this.rig.environment, {
        dynamo: clients.doc,
        clock: this.rig.clock,
        logger: new CapturingLogger(),
        telemetry: this.rig.telemetry,
        newId: () => `sim-id-${++this.idSeq}`,
      }).deps,
    );
    this.receipts = makeReceiptsHandler(
      composeHandleReceipts(this.rig.environment, {
        dynamo: clients.doc,
        clock: this.rig.clock,
        logger: new CapturingLogger(),
        telemetry: this.rig.telemetry,
      }).deps,
    );
  }

  private count(kind: string): void {
    this.log.faults[kind] = (this.log.faults[kind] ?? 0) + 1;
  }

  private occurrence(key: string): number {
    const next = (this.occurrences.get(key) ?? 0) + 1;
    this.occurrences.set(key, next);
    return next;
  }

  /** Throws before or after a call when the armed crash fault picks it. */
  private crashing<T extends object>(target: CrashTarget, real: T): T {
    return new Proxy(real, {
      get: (object, property, receiver) => {
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        if (typeof property !== 'string' || !WRAPPED[target].has(property)) return value.bind(object);
        return async (...args: unknown[]) => {
          const crash = this.armed?.faults.crash;
          if (!crash || crash.target !== target) return value.apply(object, args);
          const key = keyOf(args);
          const n = this.occurrence(`${target}.${property}.${key}`);
          const step = this.armed?.id ?? -1;
          const hit = hashChance(this.schedule.seed, step, 'crash', target, property, key, n) < crash.rate;
          if (hit && crash.when === 'before') {
            this.count(`crash before ${target}.${property}`);
            if (target === 'sms' || target === 'email') this.log.unreached.push(key);
            throw new InjectedCrashError(`before ${target}.${property}`);
          }
          const result = await value.apply(object, args);
          if (hit) {
            this.count(`crash after ${target}.${property}`);
            throw new InjectedCrashError(`after ${target}.${property}`);
          }
          return result;
        };
      },
    });
  }

  /** Tells the mocked provider which message it is sending (SNS Publish carries no id of ours). */
  private withSend<S extends SmsSender | EmailSender>(channel: 'sms' | 'email', sender: S): S {
    return {
      send: (request: { messageId: string; clinicId: string; patientId: string }) =>
        this.sending.run(
          { messageId: request.messageId, clinicId: request.clinicId, patientId: request.patientId, channel },
          () => sender.send(request as never),
        ),
    } as unknown as S;
  }

  /** The answers of the mocked AWS clients for this run (test/sim/aws-hub.ts routes them here). */
  readonly aws: AwsAnswers = {
    publish: async (input) => {
      return { MessageId: await this.providerCall('sms', String(input.PhoneNumber), String(input.Message)) };
    },
    sendEmail: async (input) => {
      const to = String(input.Destination?.ToAddresses?.[0]);
      return {
        MessageId: await this.providerCall('email', to, String(input.Content?.Simple?.Body?.Text?.Data)),
      };
    },
    sendMessageBatch: (input) => {
      const { queue } = this.rig;
      for (const entry of input.Entries ?? []) {
        const body = String(entry.MessageBody);
        queue.push(body, Number(entry.DelaySeconds ?? 0));
        const duplicate = this.armed?.faults.duplicateSqs;
        if (duplicate !== undefined) {
          const messageId = String((JSON.parse(body) as { messageId?: string }).messageId);
          const n = this.occurrence(`sqs.${messageId}`);
          if (hashChance(this.schedule.seed, this.armed?.id ?? -1, 'dup', messageId, n) < duplicate) {
            this.count('duplicate SQS delivery');
            queue.push(body, Number(entry.DelaySeconds ?? 0));
          }
        }
      }
      return {
        Successful: (input.Entries ?? []).map((entry) => ({
          Id: entry.Id,
          MessageId: entry.Id,
          MD5OfMessageBody: '',
        })),
        Failed: [],
      };
    },
  };

  /**
   * One provider request: runs the in-flight change (once per step), then
   * answers as the armed fault says. Returns the call's sequence number.
   */
  private async providerCall(channel: 'sms' | 'email', to: string, text: string): Promise<string> {
    const send = this.sending.getStore();
    const messageId = send?.messageId ?? '?';
    const seq = ++this.seq;
    const step = this.armed;
    const n = this.occurrence(`provider.${messageId}`);
    const fault = step?.faults.provider;
    const picked =
      fault && hashChance(this.schedule.seed, step.id, 'provider', messageId, n) < fault.rate
        ? fault.kind
        : 'accepted';
    // A carrier opt-out is an SMS refusal; an email meets throttling instead.
    const outcome: CallOutcome = picked === 'carrier-opt-out' && channel === 'email' ? 'throttle' : picked;
    const providerMessageId = `${channel === 'sms' ? 'sns' : 'ses'}-${this.schedule.seed}-${seq}`;
    this.log.calls.push({
      seq,
      at: this.rig.clock.now().toISO() ?? '',
      channel,
      clinicId: send?.clinicId ?? '?',
      patientId: send?.patientId ?? '?',
      messageId,
      to,
      text,
      outcome,
      ...(outcome === 'accepted' ? { providerMessageId } : {}),
    });
    if (step?.faults.inFlight && !this.inFlightDone) {
      this.inFlightDone = true;
      this.count(`in-flight ${step.faults.inFlight.kind}`);
      await this.inFlight(step.faults.inFlight, step.id);
    }
    if (outcome === 'accepted') return providerMessageId;
    this.count(`provider ${outcome}`);
    const metadata = (status: number) => ({ $metadata: { httpStatusCode: status } });
    if (outcome === 'throttle') {
      throw channel === 'sms'
        ? new ThrottledException({ message: 'Rate exceeded', ...metadata(400) })
        : new TooManyRequestsException({ message: 'Too many requests', ...metadata(429) });
    }
    if (outcome === 'carrier-opt-out')
      throw new OptedOutException({ message: 'Phone number is opted out', ...metadata(400) });
    if (outcome === '5xx') {
      throw channel === 'sms'
        ? new InternalErrorException({ message: 'Internal', ...metadata(500) })
        : new InternalServiceErrorException({ message: 'Internal', ...metadata(500) });
    }
    // A timeout: no answer, whether or not the provider sent it.
    throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
  }

  private async inFlight(change: InFlight, stepId: number): Promise<void> {
    if (change.kind === 'text') {
      const patient = this.schedule.patients[change.patient];
      if (patient) await this.text(patient, change.body, `sim-in-${stepId}-flight`, false);
      return;
    }
    if (change.kind === 'move') await this.move(change.visit, change.minutes, false);
    else await this.cancel(change.visit);
  }

  /** Creates the clinics and patients (setup, not under test). */
  async setUp(): Promise<void> {
    for (const clinic of this.schedule.clinics) {
      await this.rig.repos.clinics.put(
        makeClinic({
          clinicId: clinic.clinicId,
          timeZone: clinic.timeZone,
          policy: {
            quietHours: { enabled: true, ...clinic.quietHours },
            reminderOffsets: { default: clinic.reminderOffsets, byType: {} },
          } as never,
        }),
        null,
      );
    }
    for (const patient of this.schedule.patients) {
      await this.rig.repos.patients.put(
        makePatient({
          clinicId: patient.clinicId,
          patientId: patient.patientId,
          phone: patient.phone,
          email: patient.email,
          channels: patient.channels,
          language: patient.language,
          ...(patient.timeZone ? { timeZone: patient.timeZone } : {}),
        }),
        null,
      );
    }
    await this.checkpoint();
  }

  /** Runs one step with its faults armed; an injected crash ends the step as a dying Lambda would. */
  async run(step: Step): Promise<void> {
    this.armed = step;
    this.inFlightDone = false;
    try {
      await this.redeliverTexts();
      await this.redeliverReceipts();
      await this.act(step);
    } catch (error) {
      if (!(error instanceof InjectedCrashError))
        this.log.problems.push(`step ${step.id}: ${describe(error)}`);
    } finally {
      this.armed = undefined;
    }
    await this.checkpoint();
  }

  private async act(step: Step): Promise<void> {
    const { action } = step;
    const { rig } = this;
    switch (action.kind) {
      case 'book':
        return this.book(action.visit);
      case 'move':
        return this.move(action.visit, action.minutes, action.stale);
      case 'cancel':
        return this.cancel(action.visit);
      case 'complete':
        return this.complete(action.visit);
      case 'patient':
        return this.changePatient(action.patient, action.change);
      case 'advance':
        return rig.driver.advanceTo(rig.clock.now().plus({ minutes: action.minutes }));
      case 'pause':
        this.count('clock jump (sweeps paused 30 min)');
        rig.clock.advance({ minutes: action.minutes });
        return;
      case 'race':
        this.count('racing sweepers');
        await rig.driver.settle();
        await rig.sweep(action.dispatchers);
        return rig.driver.settle();
      case 'replay':
        this.count('stream replayed');
        await rig.replayStream();
        return rig.driver.settle();
      case 'receipt':
        await this.receipt(action.pick, action.delivered, action.duplicate);
        return rig.driver.settle();
      case 'text': {
        const patient = this.schedule.patients[action.patient];
        if (!patient) return;
        if (action.duplicate) this.count('duplicate SNS delivery (inbound)');
        await this.text(patient, action.body, `sim-in-${step.id}`, action.duplicate);
        return rig.driver.settle();
      }
    }
  }

  /** Lets everything finish, with no faults: every message should end or wait with a reason. */
  async finish(): Promise<void> {
    this.armed = undefined;
    try {
      await this.redeliverTexts();
      await this.redeliverReceipts();
      let end = this.rig.clock.now().plus({ days: 1 });
      for (const visit of this.schedule.visits) {
        const stored = await this.rig.repos.appointments.get(visit.clinicId, visit.appointmentId);
        if (stored) {
          const after = DateTime.fromISO(stored.startAt, { zone: 'utc' }).plus({ days: 2 });
          if (after > end) end = after;
        }
      }
      await this.rig.driver.advanceTo(end);
    } catch (error) {
      this.log.problems.push(`finish: ${describe(error)}`);
    }
    await this.checkpoint();
  }

  /**
   * What the driver's next sweep is timed from (it sweeps at the first whole
   * minute whose window, `lookahead` seconds ahead, holds this time). The
   * product's earliestDueAt asks each of its 24 due partitions (channel ×
   * priority × shard) for its head; this run's table holds a few items, so
   * one scan of them answers instead of 24 queries (the simulated clinics
   * have no number of their own, so every due item is in a partition the
   * sweep reads). And it skips the sweeps that can change nothing, which
   * would otherwise run every minute while an item waits out its lease: a
   * queued (or sending) item in the index can be taken again only once its
   * lease has lapsed, or (queued) withdrawn once past its notAfter, both compared with the
   * sweep's own time; until then a sweep's claim of it fails and writes
   * nothing. A real sweep runs every minute; the skipped ones are exactly
   * those with no effect.
   */
  private async earliestDueAt(): Promise<string | undefined> {
    let earliest: string | undefined;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.clients.doc.send(
        new ScanCommand({
          TableName: this.names.messages,
          FilterExpression: 'attribute_exists(dueShard)',
          ProjectionExpression: 'dueAt, #status, leaseUntil, notAfter',
          ExpressionAttributeNames: { '#status': 'status' },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const dueAt = String(item.dueAt);
        const wanted =
          (item.status === 'queued' || item.status === 'sending') && typeof item.leaseUntil === 'string'
            ? toUtcIso(
                DateTime.fromISO(
                  [item.leaseUntil, String(item.notAfter ?? item.leaseUntil)].sort()[0] as string,
                  { zone: 'utc' },
                ).plus({ seconds: SWEEP_LOOKAHEAD_SECONDS }),
              )
            : dueAt;
        // ISO strings of one format: the later of the two.
        const next = [wanted, dueAt].sort()[1] as string;
        if (earliest === undefined || next < earliest) earliest = next;
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return earliest;
  }

  /** Records every patient's opt state as stored now (one consistent batch read). */
  private async checkpoint(): Promise<void> {
    const seq = ++this.seq;
    const table = this.names.patients;
    const { Responses, UnprocessedKeys } = await this.clients.doc.send(
      new BatchGetCommand({
        RequestItems: {
          [table]: {
            Keys: this.schedule.patients.map((p) => ({ clinicId: p.clinicId, patientId: p.patientId })),
            ProjectionExpression: 'clinicId, patientId, optOuts',
            ConsistentRead: true,
          },
        },
      }),
    );
    if (UnprocessedKeys && Object.keys(UnprocessedKeys).length > 0)
      throw new Error('DynamoDB Local left patient reads unprocessed');
    const stored = new Map(
      (Responses?.[table] ?? []).map((item) => [
        `${String(item.clinicId)}#${String(item.patientId)}`,
        (item.optOuts ?? {}) as Patient['optOuts'],
      ]),
    );
    for (const patient of this.schedule.patients) {
      const optOuts = stored.get(`${patient.clinicId}#${patient.patientId}`) ?? {};
      this.log.opts.push({ seq, patientId: patient.patientId, smsOptedOut: Boolean(optOuts.sms), optOuts });
    }
  }

  private async commit(clinicId: string, appointmentId: string): Promise<void> {
    const stored = await this.rig.repos.appointments.get(clinicId, appointmentId);
    if (!stored) return;
    this.log.commits.push({
      seq: ++this.seq,
      appointmentId,
      status: stored.status,
      startAt: stored.startAt,
      scheduleVersion: stored.scheduleVersion,
    });
  }

  /** A staff API request as a clinic admin of the clinic. */
  async api(
    clinicId: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
    const event = toApiEvent({
      method,
      url: `/v1/clinics/${clinicId}${path}`,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      claims: { sub: 'sim-staff', [CLINICS_CLAIM]: clinicId, [GROUPS_CLAIM]: '[clinic-admin]' },
    });
    const result = await this.staffApi(event, context);
    const status = result.statusCode ?? 0;
    if (status >= 500) this.log.problems.push(`${method} ${path}: ${status} ${result.body ?? ''}`);
    return { status, body: result.body ? (JSON.parse(result.body) as Record<string, unknown>) : undefined };
  }

  private async book(index: number): Promise<void> {
    const visit = this.schedule.visits[index];
    if (!visit) return;
    const startAt = DateTime.fromISO(this.schedule.start, { zone: 'utc' })
      .plus({ minutes: visit.startsAfterMinutes })
      .toISO({ suppressMilliseconds: true });
    const answer = await this.api(visit.clinicId, 'PUT', `/appointments/${visit.appointmentId}`, {
      patientId: visit.patientId,
      startAt,
      durationMinutes: visit.durationMinutes,
      location: '12 River Road',
    });
    if (answer.status < 300) await this.commit(visit.clinicId, visit.appointmentId);
  }

  private async move(index: number, minutes: number, stale: boolean): Promise<void> {
    const visit = this.schedule.visits[index];
    if (!visit) return;
    const current = await this.rig.repos.appointments.get(visit.clinicId, visit.appointmentId);
    if (!current) return;
    const startAt = DateTime.fromISO(current.startAt, { zone: 'utc' })
      .plus({ minutes })
      .toISO({ suppressMilliseconds: true });
    const version = stale ? Math.max(1, current.version - 1) : current.version;
    const answer = await this.api(
      visit.clinicId,
      'PUT',
      `/appointments/${visit.appointmentId}`,
      {
        patientId: current.patientId,
        startAt,
        durationMinutes: current.durationMinutes,
        location: current.location,
      },
      { 'if-match': `"${version}"` },
    );
    if (stale && version !== current.version && answer.status !== 409) {
      this.log.problems.push(`stale If-Match on ${visit.appointmentId} answered ${answer.status}, not 409`);
    }
    if (answer.status < 300) await this.commit(visit.clinicId, visit.appointmentId);
  }

  private async cancel(index: number): Promise<void> {
    const visit = this.schedule.visits[index];
    if (!visit) return;
    const answer = await this.api(visit.clinicId, 'POST', `/appointments/${visit.appointmentId}/cancel`, {});
    if (answer.status < 300) await this.commit(visit.clinicId, visit.appointmentId);
  }

  private async complete(index: number): Promise<void> {
    const visit = this.schedule.visits[index];
    if (!visit) return;
    const answer = await this.api(
      visit.clinicId,
      'POST',
      `/appointments/${visit.appointmentId}/complete`,
      {},
    );
    if (answer.status < 300) await this.commit(visit.clinicId, visit.appointmentId);
  }

  private async changePatient(
    index: number,
    change: 'sms-first' | 'email-first' | 'staff-opt-out' | 'staff-opt-in',
  ): Promise<void> {
    const patient = this.schedule.patients[index];
    if (!patient) return;
    const current = await this.rig.repos.patients.get(patient.clinicId, patient.patientId);
    if (!current) return;
    const body = {
      firstName: current.firstName,
      ...(current.lastName ? { lastName: current.lastName } : {}),
      ...(current.phone ? { phone: current.phone } : {}),
      ...(current.email ? { email: current.email } : {}),
      language: current.language,
      ...(current.timeZone ? { timeZone: current.timeZone } : {}),
      channels:
        change === 'sms-first'
          ? ['sms', 'email']
          : change === 'email-first'
            ? ['email', 'sms']
            : current.channels,
      ...(change === 'staff-opt-out' ? { optOuts: { sms: true } } : {}),
      ...(change === 'staff-opt-in' ? { optOuts: { sms: false } } : {}),
    };
    await this.api(patient.clinicId, 'PUT', `/patients/${patient.patientId}`, body, {
      'if-match': `"${current.version}"`,
    });
    await this.checkpoint();
  }

  private async text(patient: SimPatient, body: string, inboundMessageId: string, duplicate: boolean) {
    const clinic = this.schedule.clinics.find((c) => c.clinicId === patient.clinicId);
    if (!clinic) return;
    const event = inboundEvent({
      from: patient.phone,
      to: clinic.number,
      body,
      inboundMessageId,
      at: this.rig.clock.now().toISO() ?? '',
    });
    await this.deliverText(event);
    if (duplicate) await this.deliverText(event);
    await this.checkpoint();
  }

  private async deliverText(event: SQSEvent): Promise<void> {
    try {
      const result = await this.rig.inbound(event, context);
      if (result && result.batchItemFailures.length > 0) this.pendingTexts.push(event);
    } catch (error) {
      this.pendingTexts.push(event);
      if (!(error instanceof InjectedCrashError)) throw error;
    }
  }

  /** A delivery receipt, as the receipts queue delivers it (one SQS record), for a message a provider took. */
  private async receipt(pick: number, delivered: boolean, duplicate: boolean): Promise<void> {
    const taken = this.log.calls.filter((call) => call.providerMessageId !== undefined);
    const call = taken[pick % Math.max(1, taken.length)];
    if (!call?.providerMessageId) return;
    const forText = call.channel === 'sms';
    const event = forText
      ? delivered
        ? 'TEXT_DELIVERED'
        : 'TEXT_CARRIER_UNREACHABLE'
      : delivered
        ? 'Delivery'
        : 'Bounce';
    this.count(`receipt ${delivered ? 'delivered' : 'undeliverable'}`);
    const at = this.rig.clock.now();
    const record = {
      messageId: `sim-receipt-${++this.idSeq}`,
      receiptHandle: 'sim',
      body: receiptQueueBody(
        {
          messageId: call.messageId,
          event,
          ...(event === 'Bounce' ? { bounceType: 'Permanent' as const } : {}),
        },
        {
          clinicId: call.clinicId,
          patientId: call.patientId,
          messageId: call.messageId,
          channel: call.channel,
          providerMessageId: call.providerMessageId,
          to: call.to,
        },
        at.toISO() ?? '',
      ),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(at.toMillis()),
        SenderId: 'sns.amazonaws.com',
        ApproximateFirstReceiveTimestamp: String(at.toMillis()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:receipts',
      awsRegion: 'us-east-1',
    } as SQSRecord;
    await this.deliverReceipt(record);
    if (duplicate) {
      this.count('duplicate receipt delivery');
      await this.deliverReceipt(record);
    }
    await this.checkpoint();
  }

  private async deliverReceipt(record: SQSRecord): Promise<void> {
    const result = await this.receipts({ Records: [record] }, context);
    if (result && result.batchItemFailures.length > 0) this.pendingReceipts.push(record);
  }

  private async redeliverReceipts(): Promise<void> {
    const pending = this.pendingReceipts;
    this.pendingReceipts = [];
    for (const record of pending) {
      this.count('receipt redelivered');
      await this.deliverReceipt(record);
    }
  }

  private async redeliverTexts(): Promise<void> {
    const pending = this.pendingTexts;
    this.pendingTexts = [];
    for (const event of pending) {
      this.count('inbound redelivered');
      await this.deliverText(event);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export type { Faults };
