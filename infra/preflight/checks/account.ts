/** The account, the deployment's stacks and `cdk bootstrap`. */
import {
  DescribeStacksCommand,
  ListStacksCommand,
  type Stack,
  type StackSummary,
} from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, ParameterNotFound } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { FIRST_DEPLOY_CONTEXT } from '../../constructs/data-protection';
import type { CheckResult, CheckStatus, DeployedStack, DeployedStacks, PreflightContext } from '../preflight';

/** The command that deploys this deployment, as the guide writes it. */
export function deployCommand(context: Pick<PreflightContext, 'configName'>, first = false): string {
  return `npx cdk deploy --all -c config=${context.configName}${first ? ` -c ${FIRST_DEPLOY_CONTEXT}=true` : ''}`;
}

/**
 * Which account the credentials are for, against the account the config
 * pins (if it pins one).
 *
 * @param context - the preflight context
 * @returns the check, and the account for the commands other checks show
 */
export async function checkCredentials(
  context: PreflightContext,
): Promise<{ result: CheckResult; account: string }> {
  const { config, clients, region } = context;
  const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
  const account = identity.Account ?? '<account-id>';
  return { result: credentialsVerdict(), account };

  function credentialsVerdict(): CheckResult {
    if (config.account && config.account !== account) {
      return {
        title: 'AWS credentials',
        status: 'fail',
        detail: `the credentials are for account ${account}; the config pins account ${config.account}`,
        fix: `Use credentials for account ${config.account} (AWS_PROFILE=<profile> npm run preflight …), or correct "account" in the config.`,
      };
    }
    return {
      title: 'AWS credentials',
      status: 'ok',
      detail: `account ${account}, region ${region}, as ${identity.Arn ?? '(unknown caller)'}`,
    };
  }
}

/**
 * The deployment's two stacks as CloudFormation has them, leaving out
 * deleted ones. Lists first (a missing stack is then no error to tell
 * apart from others), then describes the ones that exist.
 *
 * @param context - the preflight context
 */
export async function readStacks(context: PreflightContext): Promise<DeployedStacks> {
  const { cloudFormation } = context.clients;
  const wanted = new Set([context.needs.stacks.stateful, context.needs.stacks.stateless]);
  const found: StackSummary[] = [];
  let token: string | undefined;
  do {
    const page = await cloudFormation.send(new ListStacksCommand(token ? { NextToken: token } : {}));
    for (const summary of page.StackSummaries ?? []) {
      if (summary.StackName && wanted.has(summary.StackName) && summary.StackStatus !== 'DELETE_COMPLETE') {
        found.push(summary);
      }
    }
    token = page.NextToken;
  } while (token);

  const describe = async (name: string): Promise<DeployedStack | undefined> => {
    if (!found.some((summary) => summary.StackName === name)) return undefined;
    const described = await cloudFormation.send(new DescribeStacksCommand({ StackName: name }));
    const stack = described.Stacks?.[0] as Stack | undefined;
    if (!stack) return undefined;
    return {
      name,
      status: stack.StackStatus ?? 'UNKNOWN',
      terminationProtection: stack.EnableTerminationProtection === true,
      outputs: Object.fromEntries(
        (stack.Outputs ?? []).flatMap((output) =>
          output.OutputKey && output.OutputValue !== undefined
            ? [[output.OutputKey, output.OutputValue]]
            : [],
        ),
      ),
    };
  };
  const [stateful, stateless] = await Promise.all([
    describe(context.needs.stacks.stateful),
    describe(context.needs.stacks.stateless),
  ]);
  return { ...(stateful ? { stateful } : {}), ...(stateless ? { stateless } : {}) };
}

interface StackVerdict {
  status: CheckStatus;
  detail: string;
  fix?: string;
}

/** What a stack's state means for the next deploy. */
function verdictOf(
  context: PreflightContext,
  stack: DeployedStack,
  role: 'stateful' | 'stateless',
): StackVerdict {
  const { name, status } = stack;
  if (status.endsWith('_IN_PROGRESS')) {
    return {
      status: 'fail',
      detail: `${name} is ${status}`,
      fix: `Wait until ${name} has finished (aws cloudformation describe-stacks --stack-name ${name}), then run the preflight again.`,
    };
  }
  if (status === 'ROLLBACK_COMPLETE') {
    if (role === 'stateful' && stack.terminationProtection) {
      return {
        status: 'fail',
        detail: `${name} is ROLLBACK_COMPLETE (its first create failed) with termination protection on, so the next deploy cannot delete it`,
        fix:
          `Find the cause (aws cloudformation describe-stack-events --stack-name ${name}), fix it, then run ` +
          `aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name ${name} ` +
          `and deploy with ${deployCommand(context, true)} (docs/deploy.md, "If the first deploy fails").`,
      };
    }
    return {
      status: 'warn',
      detail: `${name} is ROLLBACK_COMPLETE: its first create failed and rolled back, and the next deploy deletes it and creates it again`,
      fix: `Fix what made it fail first (aws cloudformation describe-stack-events --stack-name ${name}).`,
    };
  }
  if (status === 'ROLLBACK_FAILED' || status === 'DELETE_FAILED') {
    return {
      status: 'fail',
      detail: `${name} is ${status}: CloudFormation could not delete what a failed create made`,
      fix: `Follow docs/deploy.md, "If the first deploy fails": see which resources could not be deleted (aws cloudformation describe-stack-events --stack-name ${name}), delete the stack, then deploy with ${deployCommand(context, true)}.`,
    };
  }
  if (status === 'UPDATE_ROLLBACK_FAILED') {
    return {
      status: 'fail',
      detail: `${name} is UPDATE_ROLLBACK_FAILED: an update failed and could not be undone`,
      fix: `Find the resource that could not roll back (aws cloudformation describe-stack-events --stack-name ${name}), fix it, then run aws cloudformation continue-update-rollback --stack-name ${name}.`,
    };
  }
  if (status.endsWith('_FAILED')) {
    return {
      status: 'fail',
      detail: `${name} is ${status}`,
      fix: `See aws cloudformation describe-stack-events --stack-name ${name}.`,
    };
  }
  if (role === 'stateful' && !stack.terminationProtection) {
    return {
      status: 'fail',
      detail: `${name} is ${status} but not locked: no termination protection (deployed with -c ${FIRST_DEPLOY_CONTEXT}=true and not since)`,
      fix: `Deploy again without the flag: ${deployCommand(context)} turns on termination protection and the tables' and user pool's deletion protection.`,
    };
  }
  return { status: 'ok', detail: `${name} is ${status}${role === 'stateful' ? ', locked' : ''}` };
}

const RANK: Record<CheckStatus, number> = { ok: 0, warn: 1, fail: 2 };

/**
 * Whether the deployment's stacks are in a state the next deploy can work
 * from, and which deploy command that is.
 *
 * @param context - the preflight context
 * @param stacks - the stacks that exist
 */
export function checkStacks(context: PreflightContext, stacks: DeployedStacks): CheckResult {
  if (!stacks.stateful && !stacks.stateless) {
    return {
      title: 'Stacks',
      status: 'ok',
      detail: `none yet: the first deploy is ${deployCommand(context, true)} && ${deployCommand(context)}`,
    };
  }
  const verdicts = [
    ...(stacks.stateful ? [verdictOf(context, stacks.stateful, 'stateful')] : []),
    ...(stacks.stateless ? [verdictOf(context, stacks.stateless, 'stateless')] : []),
  ];
  const worst = verdicts.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));
  const fixes = verdicts.flatMap((verdict) => (verdict.fix ? [verdict.fix] : []));
  return {
    title: 'Stacks',
    status: worst.status,
    detail: verdicts.map((verdict) => verdict.detail).join('; '),
    ...(fixes.length ? { fix: fixes.join(' ') } : {}),
  };
}

/**
 * That `cdk bootstrap` has run in the region, recently enough for the
 * stacks' synthesizer (its version parameter in SSM).
 *
 * @param context - the preflight context
 * @param account - the credentials' account, for the command in the fix
 */
export async function checkBootstrap(context: PreflightContext, account: string): Promise<CheckResult> {
  const { parameter, minVersion } = context.needs.bootstrap;
  const command = `npx cdk bootstrap aws://${account}/${context.region} -c config=${context.configName}`;
  let version: number;
  try {
    const answer = await context.clients.ssm.send(new GetParameterCommand({ Name: parameter }));
    version = Number(answer.Parameter?.Value);
  } catch (error) {
    if (!(error instanceof ParameterNotFound)) throw error;
    return {
      title: 'CDK bootstrap',
      status: 'fail',
      detail: `not bootstrapped: no ${parameter} in ${context.region}`,
      fix: `Run ${command} (once per account and region).`,
    };
  }
  if (!(version >= minVersion)) {
    return {
      title: 'CDK bootstrap',
      status: 'fail',
      detail: `bootstrap version ${Number.isNaN(version) ? '(unreadable)' : version}; the stacks need ${minVersion} or later`,
      fix: `Run ${command} again: it upgrades the bootstrap stack in place.`,
    };
  }
  return {
    title: 'CDK bootstrap',
    status: 'ok',
    detail: `version ${version} (${parameter}); the stacks need ${minVersion} or later`,
  };
}
