import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReminderFunction } from '../../infra/constructs/reminder-function';
import type { TableId } from '../../shared/tables';
import { type CodeAccess, CodeAccessAnalyzer, REPOSITORY_ROOT } from './code-access';
import { resourcesOf, SYNTH_TIMEOUT, type Synthesized, sharedSynthesis } from './support';

/**
 * What each function's code calls, table by table: item actions, and
 * `Query@<index>` for each index it queries. A new call fails the first
 * test until it is written here, and then the second until the stack
 * grants it; a grant nobody calls fails the second.
 */
const CALLS: Record<string, Partial<Record<TableId, string[]>>> = {
  'functions/plan-messages/handler.ts': {
    clinics: ['GetItem'],
    patients: ['GetItem'],
    messages: ['PutItem', 'Query', 'UpdateItem'],
  },
  'functions/dispatch-due/handler.ts': {
    // Segment budgets (parts a text may cost its number); the lanes' throttles.
    clinics: ['GetItem'],
    // The broadcasts' fan-out: audiences (listed patients, a clinic's patients, a closure's visits),
    // the broadcast and its recipients' messages (conditional puts, read back on a resumed page).
    patients: ['GetItem', 'Query'],
    appointments: ['GetItem', 'Query@byStartKeys'],
    messages: ['GetItem', 'PutItem', 'Query', 'Query@due', 'UpdateItem'],
    // Feedback cases: the due partition of the party index, and the conditional put of a report.
    inbound: ['PutItem', 'Query@byParty'],
  },
  'functions/send-message/handler.ts': {
    clinics: ['GetItem'],
    patients: ['GetItem', 'PutItem'],
    appointments: ['GetItem'],
    // Query: a survey's spacing reads the patient's earlier surveys; GetItem: a broadcast
    // message's broadcast (text, cancelled?); UpdateItem: also its progress counts.
    messages: ['GetItem', 'Query', 'UpdateItem'],
  },
  'functions/staff-api/handler.ts': {
    clinics: ['GetItem', 'PutItem'],
    // Query: a broadcast's topic audience, read in pages.
    patients: ['GetItem', 'PutItem', 'Query'],
    appointments: ['GetItem', 'PutItem', 'Query@byStartKeys'],
    // Staff replies: the conditional create, reading a replayed one, the put-back after a queue refusal, the send-now counter.
    messages: ['GetItem', 'PutItem', 'Query', 'UpdateItem'],
    // Feedback cases: conditional puts, the clinic's case partition (Query) and by status (Query@inbox).
    inbound: ['GetItem', 'PutItem', 'Query', 'Query@byParty', 'Query@inbox', 'UpdateItem'],
  },
  'functions/replan-failed-changes/handler.ts': {
    clinics: ['GetItem'],
    patients: ['GetItem'],
    appointments: ['GetItem'],
    messages: ['PutItem', 'Query', 'UpdateItem'],
  },
  'functions/handle-receipts/handler.ts': {
    // The clinic's zone, to count a complaint's opt-out on its local day.
    clinics: ['GetItem'],
    // A bounce or complaint on the patient; the receipt and the next channel's copy on the messages.
    patients: ['GetItem', 'PutItem'],
    messages: ['PutItem', 'UpdateItem'],
  },
  'functions/handle-inbound/handler.ts': {
    clinics: ['GetItem'],
    patients: ['GetItem', 'PutItem', 'Query@byPhone'],
    appointments: ['GetItem', 'PutItem'],
    messages: ['PutItem', 'Query', 'UpdateItem'],
    inbound: ['GetItem', 'PutItem', 'Query@byParty'],
  },
  'functions/seed-clinics/handler.ts': {
    clinics: ['GetItem', 'PutItem'],
  },
};

let synth: Synthesized;
let functions: ReminderFunction[];
let analyzer: CodeAccessAnalyzer;

beforeAll(() => {
  synth = sharedSynthesis('example');
  functions = synth.stateless.node.findAll().filter((node) => node instanceof ReminderFunction);
  analyzer = new CodeAccessAnalyzer(
    functions.map((fn) => fn.entry),
    REPOSITORY_ROOT,
  );
}, SYNTH_TIMEOUT);

function sorted(access: CodeAccess | Partial<Record<TableId, string[]>>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(access)
      .filter(([, uses]) => uses && [...uses].length > 0)
      .map(([table, uses]) => [table, [...(uses ?? [])].sort()])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/**
 * The table actions every policy of a function's role allows, in the same
 * form as {@link CALLS}: each resource is a table ARN (an action on the
 * table's key) or `<table ARN>/index/<name>` (a query of that index).
 * Stream ARNs belong to the stream mapping, not to the code, and are left out.
 */
function grantedTo(fn: ReminderFunction): Record<string, string[]> {
  const template = synth.statelessTemplate;
  const roleId = synth.stateless.getLogicalId(fn.role.node.defaultChild as CfnElement);
  const role = resourcesOf(template, 'AWS::IAM::Role')[roleId];
  const attached = JSON.stringify(role?.Properties.ManagedPolicyArns);
  const tableIds = Object.entries(synth.stateful.tables).map(
    ([id, defined]) =>
      [id, synth.stateful.getLogicalId(defined.table.node.defaultChild as CfnElement)] as const,
  );
  const granted: Partial<Record<TableId, Set<string>>> = {};
  for (const [policyId, policy] of Object.entries(resourcesOf(template, 'AWS::IAM::ManagedPolicy'))) {
    if (!attached.includes(`"${policyId}"`)) continue;
    const { Statement: statements } = policy.Properties.PolicyDocument as { Statement: Statement[] };
    for (const statement of statements) {
      const actions = [statement.Action].flat().filter((action) => action.startsWith('dynamodb:'));
      if (statement.Effect !== 'Allow' || actions.length === 0) continue;
      for (const resource of [statement.Resource].flat()) {
        const text = JSON.stringify(resource);
        if (text.includes('StreamArn')) continue;
        const table = tableIds.find(([, logicalId]) => text.includes(`${logicalId}Arn`))?.[0] as TableId;
        expect(table, `${fn.node.id}: ${text} is no table`).toBeDefined();
        const index = /"\/index\/([A-Za-z]+)"/.exec(text)?.[1];
        const uses = granted[table] ?? new Set<string>();
        for (const action of actions) {
          const name = action.slice('dynamodb:'.length);
          uses.add(index ? `${name}@${index}` : name);
        }
        granted[table] = uses;
      }
    }
  }
  return sorted(granted);
}

describe('least privilege on the tables', () => {
  it('lists every function of the stack in the table of calls', () => {
    expect(functions.map((fn) => fn.entry).sort()).toEqual(Object.keys(CALLS).sort());
  });

  it.each(Object.keys(CALLS))('%s calls exactly what the table of calls says', (entry) => {
    expect(sorted(analyzer.accessOf(entry))).toEqual(sorted(CALLS[entry] ?? {}));
  });

  it.each(Object.keys(CALLS))('the role of %s is granted exactly what its code calls', (entry) => {
    const fn = functions.find((candidate) => candidate.entry === entry);
    if (!fn) throw new Error(`no function for ${entry}`);
    expect(grantedTo(fn)).toEqual(sorted(CALLS[entry] ?? {}));
  });

  it('lets only dispatch-due query the due index, which spans every clinic', () => {
    const dueReaders = Object.entries(CALLS)
      .filter(([, tables]) => tables.messages?.includes('Query@due'))
      .map(([entry]) => entry);
    expect(dueReaders).toEqual(['functions/dispatch-due/handler.ts']);
  });
});
