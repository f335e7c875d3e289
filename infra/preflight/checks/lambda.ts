/** Lambda's concurrency quota against what the stacks reserve. */
import { ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import type { CheckResult, DeployedStacks, PreflightContext } from '../preflight';

/**
 * Lambda refuses a reservation that would leave fewer than this many
 * concurrent executions unreserved in the region (AWS Lambda quotas).
 */
export const LAMBDA_MIN_UNRESERVED = 100;

/** The Service Quotas code of "Concurrent executions" (AWS Lambda). */
export const CONCURRENCY_QUOTA_CODE = 'L-B99A9384';

/** `SendMessageFunctionB1BE0BFA` → `SendMessage`: the function's construct id, for people. */
function shortName(logicalId: string): string {
  return logicalId.replace(/Function[0-9A-F]{8}$/, '');
}

/**
 * What this deployment already reserves, when its stateless stack exists:
 * an upgrade only needs the difference.
 */
async function reservedByThisDeployment(context: PreflightContext, stacks: DeployedStacks): Promise<number> {
  if (!stacks.stateless) return 0;
  const wanted = new Set(context.needs.reservedConcurrency.map((entry) => entry.logicalId));
  const functionNames: string[] = [];
  let token: string | undefined;
  do {
    const page = await context.clients.cloudFormation.send(
      new ListStackResourcesCommand({
        StackName: stacks.stateless.name,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const resource of page.StackResourceSummaries ?? []) {
      if (
        resource.ResourceType === 'AWS::Lambda::Function' &&
        resource.LogicalResourceId &&
        wanted.has(resource.LogicalResourceId) &&
        resource.PhysicalResourceId
      ) {
        functionNames.push(resource.PhysicalResourceId);
      }
    }
    token = page.NextToken;
  } while (token);
  const reservations = await Promise.all(
    functionNames.map(async (name) => {
      const answer = await context.clients.lambda.send(
        new GetFunctionConcurrencyCommand({ FunctionName: name }),
      );
      return answer.ReservedConcurrentExecutions ?? 0;
    }),
  );
  return reservations.reduce((sum, reserved) => sum + reserved, 0);
}

/**
 * That the region's concurrency quota leaves room for every reservation of
 * the stacks (computed from the synthesised template) while Lambda keeps
 * its 100 unreserved.
 *
 * @param context - the preflight context
 * @param stacks - the stacks that exist (an existing deployment already holds its reservations)
 */
export async function checkLambdaConcurrency(
  context: PreflightContext,
  stacks: DeployedStacks,
): Promise<CheckResult> {
  const { reservedConcurrency } = context.needs;
  const needed = reservedConcurrency.reduce((sum, entry) => sum + entry.reserved, 0);
  const breakdown = reservedConcurrency
    .map((entry) => `${shortName(entry.logicalId)} ${entry.reserved}`)
    .join(', ');
  const settings = await context.clients.lambda.send(new GetAccountSettingsCommand({}));
  const quota = settings.AccountLimit?.ConcurrentExecutions ?? 0;
  const unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions ?? 0;
  const ours = await reservedByThisDeployment(context, stacks);
  // What stays unreserved once this deploy has made its reservations.
  const left = unreserved + ours - needed;
  const reservedByOthers = quota - unreserved - ours;
  const situation =
    `quota ${quota}, of which ${unreserved} unreserved now` +
    (ours ? ` (this deployment already reserves ${ours})` : '') +
    `; the stacks reserve ${needed} (${breakdown})`;
  if (left < LAMBDA_MIN_UNRESERVED) {
    const wantedQuota = needed + LAMBDA_MIN_UNRESERVED + Math.max(0, reservedByOthers);
    return {
      title: 'Lambda concurrency',
      status: 'fail',
      detail: `${situation}, which would leave ${left} unreserved; Lambda keeps at least ${LAMBDA_MIN_UNRESERVED}`,
      fix:
        `Ask for a concurrency quota of at least ${wantedQuota} in ${context.region} before deploying: ` +
        `aws service-quotas request-service-quota-increase --service-code lambda --quota-code ${CONCURRENCY_QUOTA_CODE} ` +
        `--desired-value ${wantedQuota} (Service Quotas console: AWS Lambda, "Concurrent executions"). ` +
        'Without it the stateless stack fails to create.',
    };
  }
  return {
    title: 'Lambda concurrency',
    status: 'ok',
    detail: `${situation}, leaving ${left} unreserved (at least ${LAMBDA_MIN_UNRESERVED} needed)`,
  };
}
