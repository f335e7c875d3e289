/** Local mode's survey link secret: 32 random bytes made once per run (links die with the run). */
import { randomBytes } from 'node:crypto';
import type { SurveyLinkSecret } from '../../ports/outbound';

export class LocalSurveyLinkSecret implements SurveyLinkSecret {
  private readonly bytes: Uint8Array;

  constructor(bytes?: Uint8Array) {
    this.bytes = bytes ?? randomBytes(32);
  }

  async key(): Promise<Uint8Array> {
    return this.bytes;
  }
}
