import { Logger } from '@aws-lambda-powertools/logger';
import { InvalidParameterException, OptedOutException, PublishCommand } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appLoggerOf } from '../../../shared/lambda/observability';
import { usePipelineRig } from '../../support/pipeline-rig';

const rigFor = usePipelineRig();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('log lines', () => {
  it('carry ids and codes, never a patient’s name, phone number, email or message text', async () => {
    // Prepare: a real Powertools logger, its output captured.
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const rig = rigFor({ logger: appLoggerOf(new Logger({ serviceName: 'log-check', logLevel: 'DEBUG' })) });
    await rig.seedClinic();
    const ana = await rig.seedPatient({
      patientId: 'p-ana',
      firstName: 'Anastasia',
      lastName: 'Quintanilla',
      phone: '+14155552671',
      email: 'anastasia.q@example.org',
    });
    const bo = await rig.seedPatient({
      patientId: 'p-bo',
      firstName: 'Bartholomew',
      lastName: 'Oyelaran',
      phone: '+12125551234',
      email: 'bart.oyelaran@example.net',
      channels: ['sms'],
    });
    // Ana's number is refused as invalid once (email fallback); Bo's carrier says he opted out.
    let anaRefused = false;
    rig.snsMock.on(PublishCommand).callsFake((input) => {
      if (input.PhoneNumber === ana.phone && !anaRefused) {
        anaRefused = true;
        throw new InvalidParameterException({
          message: `Invalid parameter: PhoneNumber ${ana.phone}`,
          $metadata: { httpStatusCode: 400 },
        });
      }
      if (input.PhoneNumber === bo.phone) {
        throw new OptedOutException({
          message: `Phone ${bo.phone} is opted out`,
          $metadata: { httpStatusCode: 400 },
        });
      }
      return rig.acceptSms(input);
    });
    const a = await rig.book('a-log-1', {
      patientId: ana.patientId,
      startAt: '2026-12-08T15:00:00Z',
      durationMinutes: 30,
      location: '12 River Road',
    });
    const b = await rig.book('a-log-2', {
      patientId: bo.patientId,
      startAt: '2026-12-09T15:00:00Z',
      durationMinutes: 30,
    });

    // Act: plan, send, fail, fall back, reschedule, cancel.
    await rig.advanceTo('2026-12-03T12:00:00Z');
    await rig.update(a, { startAt: '2026-12-10T15:00:00Z', location: '12 River Road' });
    await rig.changeStatus(b, { to: 'cancelled', by: 'clinic' });
    await rig.advanceTo('2026-12-11T00:00:00Z');
    vi.restoreAllMocks();

    // Assess
    const logLines = lines.filter((line) => line.includes('"service":"log-check"'));
    expect(logLines.length).toBeGreaterThan(10);
    expect(logLines.some((line) => line.includes('a-log-1#'))).toBe(true);
    const forbidden = [
      'Anastasia',
      'Quintanilla',
      '+14155552671',
      '4155552671',
      'anastasia.q@example.org',
      'Bartholomew',
      'Oyelaran',
      '+12125551234',
      '2125551234',
      'bart.oyelaran@example.net',
      'River Road',
    ];
    for (const line of lines) {
      for (const value of forbidden) expect(line, `log line leaks ${value}`).not.toContain(value);
    }
    expect(rig.telemetry.total('ProviderRefused')).toBe(2);
    const sentTexts = rig.calls.map((call) => call.text);
    expect(sentTexts.length).toBeGreaterThan(3);
    for (const line of lines) for (const text of sentTexts) expect(line).not.toContain(text);
  });
});
