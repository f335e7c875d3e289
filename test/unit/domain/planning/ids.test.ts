import { describe, expect, it } from 'vitest';
import { messageIdFor, parseMessageId } from '../../../../shared/domain/planning';

describe('message ids', () => {
  it('builds appointment#kind#offset-or-dash#vN and reads it back', () => {
    const reminder = messageIdFor({ appointmentId: 'a-17', kind: 'reminder', offset: '1d', version: 2 });
    expect(reminder).toBe('a-17#reminder#1d#v2');
    expect(parseMessageId(reminder)).toEqual({
      appointmentId: 'a-17',
      kind: 'reminder',
      offset: '1d',
      version: 2,
    });
    const notice = messageIdFor({ appointmentId: 'a-17', kind: 'cancellation', version: 5 });
    expect(notice).toBe('a-17#cancellation#-#v5');
    expect(parseMessageId(notice)).toEqual({
      appointmentId: 'a-17',
      kind: 'cancellation',
      offset: undefined,
      version: 5,
    });
  });

  it('accepts only canonical offsets, valid versions and appointment ids without #, so ids stay stable', () => {
    expect(() => messageIdFor({ appointmentId: 'a-1', kind: 'reminder', offset: '24h', version: 1 })).toThrow(
      RangeError,
    );
    expect(() => messageIdFor({ appointmentId: 'a#1', kind: 'reminder', version: 1 })).toThrow(RangeError);
    expect(() => messageIdFor({ appointmentId: '', kind: 'reminder', version: 1 })).toThrow(RangeError);
    expect(() => messageIdFor({ appointmentId: 'a-1', kind: 'reminder', version: 0 })).toThrow(RangeError);
    expect(() => messageIdFor({ appointmentId: 'a-1', kind: 'reminder', version: 1.5 })).toThrow(RangeError);
  });

  it('reads anything else as not a message id', () => {
    for (const id of [
      'a-1#reminder#1d',
      'a-1#reminder#1d#v2#x',
      '#reminder#1d#v2',
      'a-1#memo#-#v1',
      'a-1#reminder#24h#v1',
      'a-1#reminder#soon#v1',
      'a-1#reminder#1d#v0',
      'a-1#reminder#1d#2',
      'a-1#reminder#1d#v01',
    ]) {
      expect(parseMessageId(id), id).toBeUndefined();
    }
  });
});
