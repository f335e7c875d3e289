import { GetAccountSettingsCommand } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { beforeEach, describe, expect, it } from 'vitest';
import { configNameFrom } from '../../../infra/preflight/args';
import { exitCodeOf, runPreflight } from '../../../infra/preflight/preflight';
import { formatReport } from '../../../infra/preflight/report';
import { ConfigError } from '../../../shared/domain/errors';
import {
  installNewAccount,
  installReadyAccount,
  type MockedAccount,
  mockedAccount,
} from './recorded-accounts';

let account: MockedAccount;

beforeEach(() => {
  account = mockedAccount();
});

const TITLES = [
  'AWS credentials',
  'Stacks',
  'CDK bootstrap',
  'Lambda concurrency',
  'SMS sandbox',
  'SMS spend limit',
  'SMS origination identity',
  'Inbound SMS',
  'SES account',
  'SES identity',
  'SES configuration set',
  'Staff sign-in (Cognito)',
  'Survey link secret',
];

describe('preflight run', () => {
  it('passes an account ready for its first deploy on every check, and exits 0', async () => {
    // Arrange
    installReadyAccount(account);

    // Act
    const results = await runPreflight(account.context);

    // Assess
    expect(results.map((result) => result.title)).toEqual(TITLES);
    expect(results.filter((result) => result.status !== 'ok')).toEqual([]);
    expect(exitCodeOf(results)).toBe(0);
  });

  it('fails a freshly opened account on every need it lacks, each with a fix, and exits 1', async () => {
    // Arrange
    installNewAccount(account);

    // Act
    const results = await runPreflight(account.context);

    // Assess
    const failed = results.filter((result) => result.status === 'fail');
    expect(failed.map((result) => result.title)).toEqual([
      'CDK bootstrap',
      'Lambda concurrency',
      'SMS sandbox',
      'SMS spend limit',
      'SMS origination identity',
      'SES account',
      'SES identity',
      'Survey link secret',
    ]);
    for (const result of failed) expect(result.fix, result.title).toBeTruthy();
    expect(exitCodeOf(results)).toBe(1);
  });

  it('stops after the credentials when there are none that work', async () => {
    // Arrange
    installReadyAccount(account);
    account.mocks.sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );

    // Act
    const results = await runPreflight(account.context);

    // Assess
    expect(results).toEqual([
      {
        title: 'AWS credentials',
        status: 'fail',
        detail: 'could not read it: CredentialsProviderError: Could not load credentials from any providers',
        fix: expect.stringContaining('read-only calls listed in docs/deploy.md'),
      },
    ]);
    expect(account.mocks.lambda.calls()).toHaveLength(0);
  });

  it('reports a call the credentials may not make as a failed check and runs the others', async () => {
    // Arrange
    installReadyAccount(account);
    account.mocks.lambda.on(GetAccountSettingsCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: lambda:GetAccountSettings'), {
        name: 'AccessDeniedException',
      }),
    );

    // Act
    const results = await runPreflight(account.context);

    // Assess
    expect(results.find((result) => result.title === 'Lambda concurrency')).toMatchObject({
      status: 'fail',
      detail:
        'could not read it: AccessDeniedException: User is not authorized to perform: lambda:GetAccountSettings',
    });
    expect(results).toHaveLength(TITLES.length);
    expect(results.find((result) => result.title === 'SES identity')?.status).toBe('ok');
  });
});

describe('preflight report', () => {
  it('prints one entry per check, the fix under each failure, and a verdict', () => {
    // Act
    const report = formatReport(
      [
        { title: 'SMS sandbox', status: 'ok', detail: 'out of the sandbox in us-east-1' },
        { title: 'SES identity', status: 'fail', detail: 'not verified', fix: 'Publish the DKIM records.' },
        { title: 'SMS spend limit', status: 'warn', detail: '$150 a month', fix: 'Compare it.' },
      ],
      { name: 'riverside', region: 'us-east-1' },
    );

    // Assess
    expect(report).toBe(
      [
        'clinic-reminders preflight: deployment riverside in us-east-1',
        '',
        'ok    SMS sandbox',
        '      out of the sandbox in us-east-1',
        'FAIL  SES identity',
        '      not verified',
        '      fix: Publish the DKIM records.',
        'warn  SMS spend limit',
        '      $150 a month',
        '      fix: Compare it.',
        '',
        '1 ok, 1 warning, 1 failed: fix what failed, then run the preflight again.',
        '',
      ].join('\n'),
    );
  });

  it('wraps long lines at 100 characters without breaking words', () => {
    // Act
    const report = formatReport([{ title: 'Stacks', status: 'ok', detail: 'word '.repeat(60).trim() }], {
      name: 'riverside',
      region: 'us-east-1',
    });

    // Assess
    const lines = report.split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    expect(lines.filter((line) => line.startsWith('      word'))).toHaveLength(4);
    expect(report).toContain('1 ok, 0 warnings, 0 failed: ready to deploy.');
  });
});

describe('preflight arguments', () => {
  it.each([
    [['-c', 'config=riverside'], 'riverside'],
    [['--context', 'config=riverside'], 'riverside'],
    [['--context=config=riverside'], 'riverside'],
    [[], undefined],
  ])('reads %j as config %s, as the CDK CLI spells context', (argv, name) => {
    expect(configNameFrom(argv)).toBe(name);
  });

  it('refuses anything else, naming it and showing the usage', () => {
    // Act
    const attempt = () => configNameFrom(['-c', 'firstDeploy=true']);

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      '-c firstDeploy=true is not understood: usage: npm run preflight -- -c config=<name>',
    );
  });
});
