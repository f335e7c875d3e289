import { describe, expect, it } from 'vitest';
import { senderConcurrency } from '../../infra/constructs/sender-concurrency';

describe('sender concurrency', () => {
  it('runs as many senders as it takes to sustain the SMS and email rates together', () => {
    // 3 SMS/s + 14 email/s at 0.25 s per send = 4.25 senders → 5
    expect(senderConcurrency({ smsPerSecond: 3, emailPerSecond: 14, secondsPerSend: 0.25 })).toBe(5);
    // 10 + 50 at 0.25 s = exactly 15, not 16
    expect(senderConcurrency({ smsPerSecond: 10, emailPerSecond: 50, secondsPerSend: 0.25 })).toBe(15);
  });

  it('never goes below the two instances Lambda requires for an SQS mapping', () => {
    expect(senderConcurrency({ smsPerSecond: 1, emailPerSecond: 1, secondsPerSend: 0.1 })).toBe(2);
  });

  it('never exceeds the mapping maximum of 1000', () => {
    expect(senderConcurrency({ smsPerSecond: 3000, emailPerSecond: 10_000, secondsPerSend: 5 })).toBe(1000);
  });
});
