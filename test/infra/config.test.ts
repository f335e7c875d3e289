import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { availableConfigs, describeConfigError, loadDeploymentConfig } from '../../infra/config/load';
import { addressOf, type DeploymentConfigInput, LOG_RETENTION_DAYS } from '../../infra/config/schema';
import { ConfigError } from '../../shared/domain/errors';

/** A valid config for one clinic; tests break one thing at a time. */
function makeConfig(overrides: Partial<DeploymentConfigInput> = {}): DeploymentConfigInput {
  return {
    name: 'test',
    clinics: [
      {
        clinicId: 'north',
        name: 'North Clinic',
        timeZone: 'America/New_York',
        contactPhone: '+12025550143',
      },
    ],
    sms: { originationNumber: '+18885550123', sendRatePerSecond: 1, monthlyBudgetUsd: 50 },
    email: {
      identity: 'clinic.example',
      fromAddress: 'North Clinic <reminders@clinic.example>',
      configurationSetName: 'north-reminders',
      sendRatePerSecond: 14,
    },
    alarms: { email: 'it@clinic.example' },
    logRetentionDays: 365,
    ...overrides,
  };
}

/** Writes configs into a fresh folder and loads one by name. */
function loadFrom(files: Record<string, string>, name: unknown) {
  const dir = mkdtempSync(join(tmpdir(), 'clinic-config-'));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return loadDeploymentConfig(name, dir);
}

function issuesOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('deployment config', () => {
  it('accepts both committed configs and fills the defaults', () => {
    // Act
    const single = loadDeploymentConfig('example');
    const group = loadDeploymentConfig('group-example');

    // Assess
    expect(availableConfigs()).toEqual(expect.arrayContaining(['example', 'group-example']));
    expect(single.clinics).toHaveLength(1);
    expect(group.clinics.length).toBeGreaterThan(1);
    expect(group.vpc?.subnetIds.length).toBeGreaterThan(0);
    expect(single.sending).toEqual({
      secondsPerSend: 0.25,
      maxAttempts: 5,
      backoffBaseSeconds: 30,
      backoffMaxSeconds: 900,
      leaseMinutes: 15,
    });
    expect(single.clinics[0]?.policy.quietHours).toEqual({ enabled: true, start: '21:00', end: '08:00' });
    expect(single.staffApi).toEqual({
      ratePerSecond: 50,
      burst: 100,
      concurrency: 20,
      staffBroadcastMaxRecipients: 100,
      smsPricePerSegment: 0.0083,
    });
    expect(single.auditLogRetentionDays).toBe(2192);
    expect(single.keyAdminRoleArns).toEqual([]);
  });

  it('refuses a staff API burst below its rate, a concurrency that cannot serve a request and a negative broadcast threshold', () => {
    // Act
    const error = issuesOf(() =>
      loadFrom(
        {
          'api.json': JSON.stringify(
            makeConfig({
              staffApi: { ratePerSecond: 200, burst: 100, concurrency: 0, staffBroadcastMaxRecipients: -1 },
            }),
          ),
        },
        'api',
      ),
    );

    // Assess
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      'staffApi.burst',
      'staffApi.concurrency',
      'staffApi.staffBroadcastMaxRecipients',
    ]);
  });

  it('names every bad key of an invalid file in one error', () => {
    // Prepare
    const broken = makeConfig({
      clinics: [
        {
          clinicId: 'North Clinic',
          name: 'North',
          timeZone: 'Mars/Olympus_Mons',
          contactPhone: '202-555-0143',
          policy: { quietHours: { start: '25:00', end: '08:00' }, reminderOffsets: { default: ['3 days'] } },
        },
      ],
      sms: { sendRatePerSecond: 0, monthlyBudgetUsd: 0 },
      email: {
        identity: 'clinic.example',
        fromAddress: 'reminders@elsewhere.example',
        configurationSetName: 'has spaces',
        sendRatePerSecond: 14,
      },
      alarms: { email: 'not-an-email' },
      logRetentionDays: 45,
      vpc: { vpcId: 'vpc-1', subnetIds: [], endpoints: { prefixListIds: [], securityGroupIds: ['sg-1'] } },
      keyAdminRoleArns: ['arn:aws:iam::123456789012:user/alice'],
    });

    // Act
    const error = issuesOf(() => loadFrom({ 'broken.json': JSON.stringify(broken) }, 'broken'));

    // Assess
    const paths = error.issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'clinics.0.clinicId',
        'clinics.0.timeZone',
        'clinics.0.contactPhone',
        'clinics.0.policy.quietHours.start',
        'clinics.0.policy.reminderOffsets.default.0',
        'sms.originationNumber',
        'sms.sendRatePerSecond',
        'sms.monthlyBudgetUsd',
        'email.fromAddress',
        'email.configurationSetName',
        'alarms.email',
        'logRetentionDays',
        'vpc.vpcId',
        'vpc.subnetIds',
        'vpc.endpoints.prefixListIds',
        'vpc.endpoints.securityGroupIds.0',
        'keyAdminRoleArns.0',
      ]),
    );
    expect(error.message).toContain('infra/config/broken.json');
    const printed = describeConfigError(error);
    expect(printed.split('\n').length).toBe(error.issues.length + 1);
    expect(printed).toContain('  - logRetentionDays: must be one of 1, 3, 5');
  });

  it('names a misspelt key instead of ignoring it', () => {
    // Act
    const error = issuesOf(() =>
      loadFrom({ 'typo.json': JSON.stringify({ ...makeConfig(), logRetentionDay: 30 }) }, 'typo'),
    );

    // Assess
    expect(error.issues).toContainEqual({ path: 'logRetentionDay', message: 'unknown field' });
  });

  it('refuses two clinics with the same id', () => {
    // Prepare
    const clinic = { clinicId: 'north', name: 'North', timeZone: 'UTC', contactPhone: '+12025550143' };

    // Act
    const error = issuesOf(() =>
      loadFrom({ 'dupe.json': JSON.stringify(makeConfig({ clinics: [clinic, clinic] })) }, 'dupe'),
    );

    // Assess
    expect(error.issues).toContainEqual({
      path: 'clinics.1.clinicId',
      message: 'repeats clinics.0.clinicId (north)',
    });
  });

  it("accepts a clinic's origination identity as a phone number or pool, by id or ARN", () => {
    // Prepare
    const identities = [
      { id: 'phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9', number: '+18885550123', numberType: 'toll-free' },
      {
        id: 'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-1a2b3c4d5e6f708192a3b4c5d6e7f809',
        number: '+13125550199',
        numberType: '10dlc',
      },
      { id: 'pool-3c4d5e6f708192a3b4c5d6e7f8091a2b', number: '+14155550197', numberType: '10dlc' },
      {
        id: 'arn:aws:sms-voice:eu-west-2:111122223333:pool/pool-4d5e6f708192a3b4c5d6e7f8091a2b3c',
        number: '+13035550198',
        numberType: 'short-code',
      },
    ] as const;
    const clinics = identities.map((originationIdentity, index) => ({
      clinicId: `clinic-${index}`,
      name: `Clinic ${index}`,
      timeZone: 'America/New_York',
      contactPhone: '+12025550143',
      originationIdentity,
    }));

    // Act
    const config = loadFrom({ 'ids.json': JSON.stringify(makeConfig({ name: 'ids', clinics })) }, 'ids');

    // Assess
    expect(config.clinics.map((clinic) => clinic.originationIdentity)).toEqual(identities);
  });

  it('refuses a bad origination identity field by field, and one number for two clinics', () => {
    // Prepare
    const clinic = (clinicId: string, originationIdentity: unknown) => ({
      clinicId,
      name: clinicId,
      timeZone: 'UTC',
      contactPhone: '+12025550143',
      originationIdentity,
    });
    const shared = {
      id: 'phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      number: '+18885550123',
      numberType: 'toll-free',
    };
    const clinics = [
      clinic('bad', {
        id: 'arn:aws:sns:us-east-1:111122223333:topic',
        number: '8885550123',
        numberType: 'tollfree',
      }),
      clinic('first', shared),
      clinic('second', { ...shared, id: 'phone-ffff' }),
      clinic('third', { ...shared, number: '+13125550199', extra: true }),
    ];

    // Act
    const error = issuesOf(() =>
      loadFrom({ 'bad-ids.json': JSON.stringify(makeConfig({ clinics } as never)) }, 'bad-ids'),
    );

    // Assess
    expect(error.issues).toEqual(
      expect.arrayContaining([
        {
          path: 'clinics.0.originationIdentity.id',
          message: 'must be a phone number or pool id (phone-…, pool-…) or its sms-voice ARN',
        },
        {
          path: 'clinics.0.originationIdentity.number',
          message: 'must be an E.164 number such as +12025550143',
        },
        { path: 'clinics.0.originationIdentity.numberType', message: expect.stringContaining('toll-free') },
        { path: 'clinics.3.originationIdentity.extra', message: 'unknown field' },
      ]),
    );
    const written = issuesOf(() =>
      loadFrom(
        { 'shared.json': JSON.stringify(makeConfig({ clinics: clinics.slice(1, 3) } as never)) },
        'shared',
      ),
    );
    expect(written.issues).toEqual([
      {
        path: 'clinics.1.originationIdentity.number',
        message: 'repeats clinics.0.originationIdentity.number (+18885550123)',
      },
    ]);
  });

  it('accepts a sender id instead of an origination number, and subdomains of a domain identity', () => {
    // Act
    const config = loadFrom(
      {
        'eu.json': JSON.stringify(
          makeConfig({
            name: 'eu',
            sms: { senderId: 'NorthClinic', sendRatePerSecond: 5, monthlyBudgetUsd: 20 },
            email: {
              identity: 'clinic.example',
              fromAddress: 'mail@notify.clinic.example',
              configurationSetName: 'eu',
              sendRatePerSecond: 1,
            },
          }),
        ),
      },
      'eu',
    );

    // Assess
    expect(config.sms.senderId).toBe('NorthClinic');
  });

  it('takes maxPriceUsd as a string or a number and hands SNS a string', () => {
    // Act
    const asString = loadFrom(
      {
        'test.json': JSON.stringify(
          makeConfig({
            sms: {
              originationNumber: '+18885550123',
              sendRatePerSecond: 1,
              monthlyBudgetUsd: 20,
              maxPriceUsd: '0.05',
            },
          }),
        ),
      },
      'test',
    );
    const asNumber = loadFrom(
      {
        'test.json': JSON.stringify(
          makeConfig({
            sms: {
              originationNumber: '+18885550123',
              sendRatePerSecond: 1,
              monthlyBudgetUsd: 20,
              maxPriceUsd: 0.05,
            },
          }),
        ),
      },
      'test',
    );
    const tooPrecise = issuesOf(() =>
      loadFrom(
        {
          'test.json': JSON.stringify(
            makeConfig({
              sms: {
                originationNumber: '+18885550123',
                sendRatePerSecond: 1,
                monthlyBudgetUsd: 20,
                maxPriceUsd: 0.0000001,
              },
            }),
          ),
        },
        'test',
      ),
    );

    // Assess
    expect(asString.sms.maxPriceUsd).toBe('0.05');
    expect(asNumber.sms.maxPriceUsd).toBe('0.05');
    expect(tooPrecise.issues).toEqual([
      { path: 'sms.maxPriceUsd', message: 'must be a price in USD such as 0.50 or "0.50"' },
    ]);
  });

  it('keeps logs a year when the config sets no logRetentionDays', () => {
    // Prepare
    const { logRetentionDays: _omitted, ...withoutRetention } = makeConfig();

    // Act
    const config = loadFrom({ 'test.json': JSON.stringify(withoutRetention) }, 'test');

    // Assess
    expect(config.logRetentionDays).toBe(365);
  });

  it('refuses a file named differently from the deployment inside, naming both', () => {
    // Act
    const error = issuesOf(() =>
      loadFrom({ 'lakeside.json': JSON.stringify(makeConfig({ name: 'lakeside-group' })) }, 'lakeside'),
    );

    // Assess
    expect(error.issues).toEqual([
      {
        path: 'name',
        message:
          'is lakeside-group, but the file is lakeside.json: name the file lakeside-group.json, so that -c config=, the stacks and every command use the one name',
      },
    ]);
  });

  it('tells how to choose a config when none or an unknown one is given', () => {
    // Act
    const missing = issuesOf(() => loadDeploymentConfig(undefined));
    const unknown = issuesOf(() => loadDeploymentConfig('../../etc/passwd'));

    // Assess
    expect(missing.issues[0]?.message).toContain('-c config=<name> (cdk bootstrap too), one of');
    expect(missing.issues[0]?.message).toContain('example');
    expect(unknown.issues[0]?.message).toContain('choose one of');
  });

  it('reports a file that is not JSON', () => {
    // Act
    const error = issuesOf(() => loadFrom({ 'bad.json': '{ "name": ' }, 'bad'));

    // Assess
    expect(error.issues[0]?.path).toBe('(file)');
  });

  it('offers exactly the retention periods CloudWatch Logs accepts, except never-expire', () => {
    // Prepare
    const cdkValues = Object.values(RetentionDays)
      .filter((value): value is number => typeof value === 'number')
      .filter((days) => days !== RetentionDays.INFINITE)
      .sort((a, b) => a - b);

    // Assess
    expect([...LOG_RETENTION_DAYS]).toEqual(cdkValues);
  });

  it('reads the bare address out of a From header', () => {
    expect(addressOf('Clinic <a@b.example>')).toBe('a@b.example');
    expect(addressOf('a@b.example')).toBe('a@b.example');
    expect(addressOf('Clinic <a@b.example')).toBeUndefined();
  });
});
