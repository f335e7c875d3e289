/** The staff user pool: its plan once it exists, a leftover pool of the same name before. */
import { DescribeUserPoolCommand, ListUserPoolsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { STATEFUL_OUTPUTS } from '../../stacks/stateful-stack';
import type { CheckResult, DeployedStacks, PreflightContext } from '../preflight';

/**
 * Once deployed: that the staff user pool is still on the Plus plan with
 * threat protection enforced (the plan is billed per monthly active user
 * and can be changed in the console). Before the first create: whether a
 * pool of the same name is left from an earlier deployment, whose staff
 * accounts the new, empty pool would not have.
 *
 * @param context - the preflight context
 * @param stacks - the stacks that exist
 */
export async function checkCognito(context: PreflightContext, stacks: DeployedStacks): Promise<CheckResult> {
  const title = 'Staff sign-in (Cognito)';
  const poolId = stacks.stateful?.outputs[STATEFUL_OUTPUTS.staffUserPoolId];
  if (poolId) {
    const answer = await context.clients.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    const tier = answer.UserPool?.UserPoolTier ?? 'unknown';
    const mode = answer.UserPool?.UserPoolAddOns?.AdvancedSecurityMode ?? 'OFF';
    if (tier !== 'PLUS' || mode !== 'ENFORCED') {
      return {
        title,
        status: 'fail',
        detail: `user pool ${poolId} is on the ${tier} plan with threat protection ${mode}: breached passwords and risky sign-ins are not blocked`,
        fix: `Deploy again (${`npx cdk deploy --all -c config=${context.configName}`}): the stack sets the Plus plan and full-function threat protection.`,
      };
    }
    return { title, status: 'ok', detail: `user pool ${poolId}: Plus plan, threat protection enforced` };
  }

  const name = context.needs.userPoolName;
  const leftovers: string[] = [];
  let token: string | undefined;
  do {
    const page = await context.clients.cognito.send(
      new ListUserPoolsCommand({ MaxResults: 60, ...(token ? { NextToken: token } : {}) }),
    );
    for (const pool of page.UserPools ?? []) if (pool.Name === name && pool.Id) leftovers.push(pool.Id);
    token = page.NextToken;
  } while (token);
  if (leftovers.length) {
    return {
      title,
      status: 'warn',
      detail: `a user pool named ${name} already exists (${leftovers.join(', ')}), kept from an earlier deployment: the new deployment creates a second, empty one`,
      fix: 'Staff accounts do not move by themselves: keep the old pool for its records, or delete it once nobody needs it (turn its deletion protection off first). Staff sign up again in the new pool.',
    };
  }
  return {
    title,
    status: 'ok',
    detail: `the stateful stack creates ${name} on the Plus plan (threat protection; billed per monthly active staff user)`,
  };
}
