/**
 * The local outbox: in local mode the SMS and email "providers" write here
 * (memory, a JSON-lines file, a console line) so a person can read what the
 * patients would have received. It plays the phone, not the log: it holds
 * the text and the address on purpose, and only on the developer's machine.
 */
import { appendFileSync } from 'node:fs';
import type { Clock } from '../../domain/time';
import { toUtcIso } from '../../domain/time';
import type { EmailRequest, EmailSender, ProviderReceipt, SmsRequest, SmsSender } from '../../ports/outbound';

export interface OutboxEntry {
  seq: number;
  /** When it was "sent", on the (simulated) clock. */
  at: string;
  channel: 'sms' | 'email';
  to: string;
  subject?: string;
  text: string;
  clinicId: string;
  /** Whose timeline the message is on (an answer to a number no patient has: its `~…` partition). */
  patientId: string;
  messageId: string;
  providerMessageId: string;
}

export interface LocalOutboxOptions {
  /** JSON-lines file to append to. */
  file?: string;
  /** Where to print one line per message (console.log in local mode). */
  print?: (line: string) => void;
}

export class LocalOutbox {
  readonly entries: OutboxEntry[] = [];
  readonly sms: SmsSender;
  readonly email: EmailSender;

  constructor(
    private readonly clock: Clock,
    private readonly options: LocalOutboxOptions = {},
  ) {
    this.sms = { send: (request: SmsRequest) => this.record('sms', request) };
    this.email = { send: (request: EmailRequest) => this.record('email', request) };
  }

  private async record(
    channel: 'sms' | 'email',
    request: SmsRequest | EmailRequest,
  ): Promise<ProviderReceipt> {
    const seq = this.entries.length + 1;
    const entry: OutboxEntry = {
      seq,
      at: toUtcIso(this.clock.now()),
      channel,
      to: request.to,
      ...('subject' in request ? { subject: request.subject } : {}),
      text: request.text,
      clinicId: request.clinicId,
      patientId: request.patientId,
      messageId: request.messageId,
      providerMessageId: `local-${channel}-${seq}`,
    };
    this.entries.push(entry);
    if (this.options.file) appendFileSync(this.options.file, `${JSON.stringify(entry)}\n`);
    this.options.print?.(
      `[outbox] ${entry.at} ${channel} → ${entry.to} ${entry.messageId}\n         ${entry.subject ? `${entry.subject} — ` : ''}${entry.text.replace(/\n+/g, ' ')}`,
    );
    return { providerMessageId: entry.providerMessageId };
  }
}
