import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  dataProtectionFromContext,
  keepRetiredIndexesFromContext,
  LOCKED,
} from '../../infra/constructs/data-protection';
import { DEVELOPER_ONLY_EMAIL_PROPERTIES } from '../../infra/constructs/staff-users';
import { ConfigError } from '../../shared/domain/errors';
import { SYNTH_TIMEOUT, type Synthesized, synthesize } from './support';
import {
  BASELINE_CONFIG,
  type Baseline,
  guardedResources,
  indexUpdateProblems,
  readBaseline,
  unguarded,
  upgradeProblems,
} from './upgrade-baseline';

let everyDeploy: Synthesized;
let firstDeploy: Synthesized;
/** What the code guards now (neverReplace), with the properties it synthesises. */
let current: Baseline;

beforeAll(() => {
  everyDeploy = synthesize(BASELINE_CONFIG);
  firstDeploy = synthesize(BASELINE_CONFIG, { protection: { locked: false } });
  current = guardedResources(everyDeploy);
}, SYNTH_TIMEOUT);

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

function resources(template: Template): Record<string, Resource> {
  return template.toJSON().Resources as Record<string, Resource>;
}

/** Resource types with the given deletion policy, one entry per resource, sorted. */
function typesWithDeletionPolicy(template: Template, policy: string): string[] {
  return Object.values(resources(template))
    .filter((resource) => resource.DeletionPolicy === policy)
    .map((resource) => resource.Type)
    .sort();
}

/** The template without the two deletion-protection switches. */
function withoutLocks(template: Template): Record<string, Resource> {
  const copy = structuredClone(resources(template));
  for (const resource of Object.values(copy)) {
    delete resource.Properties?.DeletionProtectionEnabled;
    delete resource.Properties?.DeletionProtection;
  }
  return copy;
}

const DATA_TYPES = [
  'AWS::Cognito::UserPool',
  // The role groups: a deleted group takes its members with it.
  'AWS::Cognito::UserPoolGroup',
  'AWS::Cognito::UserPoolGroup',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::Table',
  'AWS::KMS::Key',
  // The staff sign-in events: an audit log of the pool, kept like the pool.
  'AWS::Logs::LogGroup',
];

describe.each([
  ['every deploy', () => everyDeploy],
  ['the first deploy', () => firstDeploy],
])('removal policies (%s)', (_name, get) => {
  it('keeps the key, the five tables, the user pool, its role groups and its sign-in log on teardown and replacement, and deletes them only when their own create rolls back', () => {
    // Act
    const { statefulTemplate } = get();

    // Assess
    expect(typesWithDeletionPolicy(statefulTemplate, 'RetainExceptOnCreate')).toEqual(DATA_TYPES);
    for (const resource of Object.values(resources(statefulTemplate))) {
      if (resource.DeletionPolicy === 'RetainExceptOnCreate')
        expect(resource.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('orphans nothing of the stateful stack when its first create rolls back (no plain Retain)', () => {
    expect(typesWithDeletionPolicy(get().statefulTemplate, 'Retain')).toEqual([]);
  });

  it('keeps every log group, even of a create that rolled back, because its logs say why', () => {
    // Act
    const logGroups = Object.values(resources(get().statelessTemplate)).filter(
      (resource) => resource.Type === 'AWS::Logs::LogGroup',
    );

    // Assess
    expect(logGroups.length).toBeGreaterThan(0);
    for (const group of logGroups) {
      expect(group).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    expect(typesWithDeletionPolicy(get().statelessTemplate, 'RetainExceptOnCreate')).toEqual([]);
  });
});

describe('locks', () => {
  it('turns on termination protection and the tables’ and user pool’s deletion protection on every deploy', () => {
    // Act
    const all = resources(everyDeploy.statefulTemplate);

    // Assess
    expect(everyDeploy.stateful.terminationProtection).toBe(true);
    const tables = Object.values(all).filter((resource) => resource.Type === 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(5);
    for (const table of tables) expect(table.Properties?.DeletionProtectionEnabled).toBe(true);
    const [pool] = Object.values(all).filter((resource) => resource.Type === 'AWS::Cognito::UserPool');
    expect(pool?.Properties?.DeletionProtection).toBe('ACTIVE');
  });

  it('leaves every lock off for the first create, so a create that fails rolls back to nothing and can be run again', () => {
    // Act
    const all = resources(firstDeploy.statefulTemplate);

    // Assess
    expect(firstDeploy.stateful.terminationProtection).toBe(false);
    const tables = Object.values(all).filter((resource) => resource.Type === 'AWS::DynamoDB::Table');
    for (const table of tables) expect(table.Properties?.DeletionProtectionEnabled).toBe(false);
    const [pool] = Object.values(all).filter((resource) => resource.Type === 'AWS::Cognito::UserPool');
    expect(pool?.Properties?.DeletionProtection).toBe('INACTIVE');
  });

  it('changes nothing but the locks between the first deploy and the next one', () => {
    expect(withoutLocks(firstDeploy.statefulTemplate)).toEqual(withoutLocks(everyDeploy.statefulTemplate));
    expect(resources(firstDeploy.statelessTemplate)).toEqual(resources(everyDeploy.statelessTemplate));
  });

  it.each([
    [undefined, true],
    [false, true],
    ['false', true],
    [true, false],
    ['true', false],
  ])('reads -c firstDeploy=%s as locked: %s', (value, locked) => {
    expect(dataProtectionFromContext(value)).toEqual({ locked });
  });

  it('refuses any other firstDeploy value instead of guessing, naming the key and the value', () => {
    // Act
    const attempt = () => dataProtectionFromContext('yes');

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/firstDeploy: must be true or false, not "yes"/);
    expect(LOCKED.locked).toBe(true);
  });

  it.each([
    [undefined, false],
    ['false', false],
    [true, true],
    ['true', true],
  ])('reads -c keepRetiredIndexes=%s as %s', (value, keep) => {
    expect(keepRetiredIndexesFromContext(value)).toBe(keep);
  });

  it('refuses any other keepRetiredIndexes value, naming the key and the value', () => {
    expect(() => keepRetiredIndexesFromContext('1')).toThrow(
      /keepRetiredIndexes: must be true or false, not "1"/,
    );
  });
});

describe('staff user pool emails', () => {
  it('sets none of the email templates Cognito accepts only with SES sending, since it sends with its own sender', () => {
    // Act
    const [pool] = Object.values(resources(everyDeploy.statefulTemplate)).filter(
      (resource) => resource.Type === 'AWS::Cognito::UserPool',
    );
    const properties = pool?.Properties ?? {};

    // Assess
    expect(properties.EmailConfiguration).toEqual({ EmailSendingAccount: 'COGNITO_DEFAULT' });
    for (const path of DEVELOPER_ONLY_EMAIL_PROPERTIES) {
      const value = path
        .split('.')
        .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], properties);
      expect(value, path).toBeUndefined();
    }
    expect(properties.VerificationMessageTemplate).toEqual(
      expect.objectContaining({ DefaultEmailOption: 'CONFIRM_WITH_CODE' }),
    );
  });
});

describe('upgrades keep what must never be replaced', () => {
  it('guards the key, the tables, the queues, the topics, the bus, the configuration sets, the user pool, its groups, its client and the staff API', () => {
    // Act
    const types = Object.values(current).flatMap((resources) =>
      Object.values(resources).map((resource) => resource.Type),
    );

    // Assess
    expect(types.sort()).toEqual(
      [
        'AWS::ApiGatewayV2::Api',
        'AWS::Cognito::UserPool',
        'AWS::Cognito::UserPoolClient',
        ...Array(2).fill('AWS::Cognito::UserPoolGroup'),
        ...Array(5).fill('AWS::DynamoDB::Table'),
        'AWS::Events::EventBus',
        'AWS::KMS::Key',
        'AWS::SES::ConfigurationSet',
        'AWS::SMSVOICE::ConfigurationSet',
        ...Array(3).fill('AWS::SNS::Topic'),
        ...Array(9).fill('AWS::SQS::Queue'),
      ].sort(),
    );
  });

  it('neither replaces nor drops a guarded resource of the recorded release: same logical ids, no replacing property changed', () => {
    expect(upgradeProblems(readBaseline(), current)).toEqual([]);
  });

  it('has every guarded resource in the recorded baseline (record a new one with npm run upgrade-baseline)', () => {
    expect(unguarded(readBaseline(), current)).toEqual([]);
  });
});

describe('an upgrade that replaces an index takes two deploys', () => {
  let upgrading: Baseline;
  beforeAll(() => {
    upgrading = guardedResources(
      synthesize(BASELINE_CONFIG, { protection: { ...LOCKED, keepRetiredIndexes: true } }),
    );
  }, SYNTH_TIMEOUT);

  it('would drop byStart and add byStartKeys in one plain deploy over the recorded release, which DynamoDB refuses', () => {
    expect(indexUpdateProblems(readBaseline(), current)).toEqual([
      'Stateful AppointmentsTable8553CB1E: one update would drop byStart and add byStartKeys; DynamoDB adds or drops one index per update',
    ]);
  });

  it('adds byStartKeys beside byStart in the first deploy (-c keepRetiredIndexes=true), and keeps every guarded resource', () => {
    // Act
    const indexes = (upgrading.Stateful?.AppointmentsTable8553CB1E?.Properties.GlobalSecondaryIndexes ??
      []) as { IndexName: string; Projection: unknown }[];

    // Assess
    expect(indexUpdateProblems(readBaseline(), upgrading)).toEqual([]);
    expect(upgradeProblems(readBaseline(), upgrading)).toEqual([]);
    expect(indexes.map((index) => [index.IndexName, index.Projection])).toEqual([
      ['byStartKeys', { ProjectionType: 'KEYS_ONLY' }],
      ['byStart', { ProjectionType: 'ALL' }],
    ]);
  });

  it('drops byStart alone in the next plain deploy', () => {
    expect(indexUpdateProblems(upgrading, current)).toEqual([]);
  });

  it('changes no other table between the two deploys', () => {
    const { AppointmentsTable8553CB1E: _before, ...others } = upgrading.Stateful ?? {};
    const { AppointmentsTable8553CB1E: _after, ...othersNow } = current.Stateful ?? {};
    expect(othersNow).toEqual(others);
  });
});

describe('the upgrade check itself', () => {
  const table = {
    Type: 'AWS::DynamoDB::Table',
    Why: 'a replaced table is a new, empty one',
    Properties: {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    },
  };
  const base: Baseline = { Stateful: { ClinicsTable4477ED9E: table } };

  it('counts an index whose projection changed under the same name as a drop and an add', () => {
    // Arrange
    const index = (projection: string) => ({
      IndexName: 'byStart',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      Projection: { ProjectionType: projection },
    });
    const withIndex = (projection: string): Baseline => ({
      Stateful: {
        ClinicsTable4477ED9E: {
          ...table,
          Properties: { ...table.Properties, GlobalSecondaryIndexes: [index(projection)] },
        },
      },
    });

    // Act + Assess
    expect(indexUpdateProblems(withIndex('ALL'), withIndex('KEYS_ONLY'))).toEqual([
      'Stateful ClinicsTable4477ED9E: one update would drop byStart and add byStart; DynamoDB adds or drops one index per update',
    ]);
    expect(indexUpdateProblems(base, withIndex('ALL'))).toEqual([]);
  });

  it('lets a change that updates in place through', () => {
    // Arrange
    const next: Baseline = {
      Stateful: {
        ClinicsTable4477ED9E: { ...table, Properties: { ...table.Properties, TableClass: 'STANDARD' } },
      },
    };

    // Act + Assess
    expect(upgradeProblems(base, next)).toEqual([]);
  });

  it('catches a property whose change replaces the resource, and names it', () => {
    // Arrange
    const next: Baseline = {
      Stateful: {
        ClinicsTable4477ED9E: {
          ...table,
          Properties: { ...table.Properties, KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] },
        },
      },
    };

    // Act
    const problems = upgradeProblems(base, next);

    // Assess
    expect(problems).toEqual([
      'Stateful ClinicsTable4477ED9E (AWS::DynamoDB::Table) would be replaced (KeySchema changed): a replaced table is a new, empty one',
    ]);
  });

  it('catches a new logical id (a renamed or moved construct), which CloudFormation reads as remove and create', () => {
    // Arrange
    const next: Baseline = { Stateful: { ClinicsTableRenamed01: table } };

    // Act
    const problems = upgradeProblems(base, next);

    // Assess
    expect(problems).toEqual([
      'Stateful ClinicsTable4477ED9E (AWS::DynamoDB::Table) is gone: a new logical id or its removal would drop it, and a replaced table is a new, empty one',
    ]);
    expect(unguarded(base, next)).toEqual(['Stateful ClinicsTableRenamed01']);
  });
});
