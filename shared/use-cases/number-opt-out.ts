/**
 * A number's STOP that came before any patient had the number (issue 12,
 * item 3): handle-inbound keeps it on the number (the inbound table's
 * `number#…` state), and the patient who is later given that number
 * inherits it, so their texts are skipped `opted-out` at send time like
 * any patient's own STOP. It is inherited when the phone is set, not read
 * at every send: a send reads the patient anyway, and one more read per
 * text would be paid on every SMS for a rare case.
 */
import type { Patient } from '../domain/model';
import type { InboundRepository } from '../ports/repositories';

/**
 * The patient with their number's opt-out, when the phone is new to them
 * (created, or changed) and the number texted STOP while no patient had it.
 * An opt-out of the patient's own is kept; the number's last reply comes
 * along, so a START sent before that STOP and delivered late still loses.
 *
 * @param inbound - the number's opt state
 * @param next - the patient as about to be written
 * @param stored - the patient as stored, if any
 */
export async function withNumberOptOut(
  inbound: Pick<InboundRepository, 'getNumberOptState'>,
  next: Patient,
  stored: Patient | undefined,
): Promise<Patient> {
  if (!next.phone || next.phone === stored?.phone || next.optOuts.sms) return next;
  const number = await inbound.getNumberOptState(next.clinicId, next.phone);
  const optOut = number?.state.optOut;
  if (!optOut) return next;
  const last = number.state.lastReply;
  return {
    ...next,
    optOuts: { ...next.optOuts, sms: { at: optOut.at, source: optOut.source } },
    ...(last
      ? {
          smsReply: {
            last,
            ...(optOut.inboundMessageId ? { optOutInboundId: optOut.inboundMessageId } : {}),
          },
        }
      : {}),
  };
}
