import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../infra/config/load';
import { DeploymentConfigSchema, smsLanesOf, totalSmsPartsPerSecond } from '../../infra/config/schema';
import { THROTTLED_NUMBER_PERIODS, throttledNumberAlarmId } from '../../infra/constructs/monitoring';
import { senderConcurrency } from '../../infra/constructs/sender-concurrency';
import { SMS_LANES_MAX_LENGTH } from '../../shared/config/settings';
import { ConfigError } from '../../shared/domain/errors';
import { resourcesOf, SYNTH_TIMEOUT, type Synthesized, sharedSynthesis } from './support';

let synth: Synthesized;

beforeAll(() => {
  synth = sharedSynthesis('group-example');
}, SYNTH_TIMEOUT);

function alarm(id: string) {
  const found = Object.entries(resourcesOf(synth.statelessTemplate, 'AWS::CloudWatch::Alarm')).find(
    ([logicalId]) => logicalId.startsWith(`Monitoring${id}`),
  );
  return found?.[1].Properties;
}

function dispatchEnvironment(): Record<string, string> {
  const functions = resourcesOf(synth.statelessTemplate, 'AWS::Lambda::Function');
  const [, dispatch] =
    Object.entries(functions).find(([logicalId]) => logicalId.startsWith('DispatchDue')) ?? [];
  if (!dispatch) throw new Error('no dispatch-due function in the stateless stack');
  return (dispatch.Properties.Environment as { Variables: Record<string, string> }).Variables;
}

describe('a send rate per number in the deployment config', () => {
  it('gives the sweep each clinic’s own number at its rate, and paces a clinic on the shared number on its budget', () => {
    // lakeside-north texts from the shared number; west's 10DLC campaign allows 2; dental's 10DLC the default 1.
    expect(dispatchEnvironment().SMS_LANES).toBe('lakeside-north=~shared,lakeside-west=2,lakeside-dental=1');
    expect(dispatchEnvironment().SMS_PER_SECOND).toBe('10');
  });

  it('sizes the sender for every number at once: the shared one and each clinic’s own', () => {
    expect(totalSmsPartsPerSecond(synth.config)).toBe(13);
    expect(synth.stateless.senderConcurrency).toBe(
      senderConcurrency({
        smsPerSecond: 13,
        emailPerSecond: synth.config.email.sendRatePerSecond,
        secondsPerSend: synth.config.sending.secondsPerSend,
      }),
    );
  });

  it('refuses a rate a number cannot have, naming the clinic’s field', () => {
    const config = loadDeploymentConfig('group-example');
    const clinics = config.clinics.map((clinic, index) =>
      index === 1 && clinic.originationIdentity
        ? { ...clinic, originationIdentity: { ...clinic.originationIdentity, partsPerSecond: 0 } }
        : clinic,
    );
    const result = DeploymentConfigSchema.safeParse({ ...config, clinics });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['clinics', 1, 'originationIdentity', 'partsPerSecond'],
        message: 'must allow at least one part a minute (1/60 per second)',
      }),
    ]);
  });

  it('refuses more clinics with numbers of their own than the sweep’s environment can list', () => {
    const config = loadDeploymentConfig('group-example');
    const template = config.clinics[2];
    const identity = template?.originationIdentity;
    if (!template || !identity) throw new Error('the group example’s third clinic has its own number');
    const clinics = Array.from({ length: 90 }, (_, index) => ({
      ...template,
      clinicId: `a-clinic-with-a-rather-long-identifier-${String(index).padStart(3, '0')}`,
      originationIdentity: {
        ...identity,
        id: `phone-${String(index).padStart(32, '0')}`,
        number: `+1312555${String(index).padStart(4, '0')}`,
      },
    }));
    expect(smsLanesOf({ ...config, clinics }).length).toBeGreaterThan(SMS_LANES_MAX_LENGTH);
    const dir = mkdtempSync(join(tmpdir(), 'clinic-config-'));
    writeFileSync(join(dir, 'many.json'), JSON.stringify({ ...config, name: 'many', clinics }));
    let error: unknown;
    try {
      loadDeploymentConfig('many', dir);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      { path: 'clinics', message: expect.stringContaining('use shorter clinic ids') },
    ]);
  });
});

describe('alarms per number', () => {
  it('alarms when one clinic’s own number keeps being throttled, naming the number and what to set', () => {
    expect(alarm(throttledNumberAlarmId('lakeside-west'))).toMatchObject({
      Namespace: 'ClinicReminders',
      MetricName: 'ProviderThrottled',
      Dimensions: expect.arrayContaining([
        { Name: 'lane', Value: 'lakeside-west' },
        { Name: 'service', Value: 'send-message' },
      ]),
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: THROTTLED_NUMBER_PERIODS,
      DatapointsToAlarm: THROTTLED_NUMBER_PERIODS,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/clinic lakeside-west's own number.*2 parts a second/),
    });
  });

  it('has one such alarm for the shared number and each clinic’s own, none twice for a clinic on the shared number', () => {
    expect(alarm('ThrottledSharedNumberAlarm')).toMatchObject({
      Dimensions: expect.arrayContaining([{ Name: 'lane', Value: '~shared' }]),
    });
    expect(alarm(throttledNumberAlarmId('lakeside-dental'))).toBeDefined();
    expect(alarm(throttledNumberAlarmId('lakeside-north'))).toBeUndefined();
  });

  it('draws parts enqueued, throttles and halved minutes per number on the dashboard', () => {
    const body = JSON.stringify(resourcesOf(synth.statelessTemplate, 'AWS::CloudWatch::Dashboard'));
    for (const metric of ['PartsEnqueued', 'ProviderThrottled', 'LaneBudgetHalved'])
      expect(body).toContain(`MetricName=\\\\\\"${metric}\\\\\\"`);
  });
});
