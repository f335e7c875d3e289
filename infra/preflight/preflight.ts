/**
 * The preflight: with the deployer's credentials, reads (never changes)
 * what a deployment needs of its AWS account and region, and says for each
 * need whether it is met and, when not, what to do. `npm run preflight --
 * -c config=<name>` (main.ts) prints the checklist; docs/deploy.md starts
 * with it.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { DeploymentConfig } from '../config/schema';
import { checkBootstrap, checkCredentials, checkStacks, readStacks } from './checks/account';
import { checkCognito } from './checks/cognito';
import { checkSesAccount, checkSesConfigurationSet, checkSesIdentity } from './checks/email';
import { checkLambdaConcurrency } from './checks/lambda';
import { checkInboundSms, checkOrigination, checkSmsSandbox, checkSmsSpendLimit } from './checks/sms';
import { checkSurveyLinkSecret } from './checks/survey-link';
import type { DeploymentNeeds } from './needs';

/** `warn` is worth reading but does not stop a deploy; `fail` does. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** What was checked, as the checklist names it. */
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found. */
  readonly detail: string;
  /** What to do about it; set for every `warn` and `fail`. */
  readonly fix?: string;
}

/** One client per service the preflight reads, all in the deployment's region. */
export interface PreflightClients {
  readonly sts: STSClient;
  readonly cloudFormation: CloudFormationClient;
  readonly ssm: SSMClient;
  readonly lambda: LambdaClient;
  readonly sns: SNSClient;
  readonly sms: PinpointSMSVoiceV2Client;
  readonly ses: SESv2Client;
  readonly cognito: CognitoIdentityProviderClient;
}

export interface PreflightContext {
  readonly config: DeploymentConfig;
  /** The word after `-c config=`, for the commands a fix shows. */
  readonly configName: string;
  readonly region: string;
  readonly needs: DeploymentNeeds;
  readonly clients: PreflightClients;
}

/** A stack of this deployment as CloudFormation describes it. */
export interface DeployedStack {
  readonly name: string;
  readonly status: string;
  readonly terminationProtection: boolean;
  readonly outputs: Readonly<Record<string, string>>;
}

/** The deployment's stacks that exist (in any state but deleted). */
export interface DeployedStacks {
  readonly stateful?: DeployedStack;
  readonly stateless?: DeployedStack;
}

/**
 * Runs one check; a call the credentials may not make, or any other error,
 * becomes a failed check that says so instead of ending the run.
 */
async function guarded(title: string, check: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await check();
  } catch (error) {
    const { name, message } = error as Error;
    return {
      title,
      status: 'fail',
      detail: `could not read it: ${name}: ${message}`,
      fix: 'Run the preflight with credentials that may make the read-only calls listed in docs/deploy.md ("Preflight"), in the deployment\'s region.',
    };
  }
}

/**
 * Every check, in the order of the checklist.
 *
 * Primary course:
 * 1. Who the credentials are; without working credentials for the right
 *    account, nothing else is worth reading.
 * 2. Which of the deployment's stacks exist, and in what state.
 * 3. Every other check, each on its own, knowing the account and the stacks.
 *
 * @param context - config, region, needs and clients
 */
export async function runPreflight(context: PreflightContext): Promise<CheckResult[]> {
  let account = '<account-id>';
  const credentials = await guarded('AWS credentials', async () => {
    const checked = await checkCredentials(context);
    account = checked.account;
    return checked.result;
  });
  if (credentials.status === 'fail') return [credentials];

  let stacks: DeployedStacks | undefined;
  const stackCheck = await guarded('Stacks', async () => {
    stacks = await readStacks(context);
    return checkStacks(context, stacks);
  });
  // Checks whose answer depends on whether the deployment exists.
  const knowingStacks = (title: string, check: (known: DeployedStacks) => Promise<CheckResult>) =>
    guarded(title, async () =>
      stacks
        ? check(stacks)
        : {
            title,
            status: 'fail' as const,
            detail: 'not checked: whether the deployment exists is unknown (see Stacks)',
            fix: 'Fix what Stacks reports, then run the preflight again.',
          },
    );
  const rest = await Promise.all([
    guarded('CDK bootstrap', () => checkBootstrap(context, account)),
    knowingStacks('Lambda concurrency', (known) => checkLambdaConcurrency(context, known)),
    guarded('SMS sandbox', () => checkSmsSandbox(context)),
    guarded('SMS spend limit', () => checkSmsSpendLimit(context)),
    guarded('SMS origination identity', () => checkOrigination(context)),
    knowingStacks('Inbound SMS', (known) => checkInboundSms(context, known)),
    guarded('SES account', () => checkSesAccount(context)),
    guarded('SES identity', () => checkSesIdentity(context)),
    knowingStacks('SES configuration set', (known) => checkSesConfigurationSet(context, known)),
    knowingStacks('Staff sign-in (Cognito)', (known) => checkCognito(context, known)),
    guarded('Survey link secret', () => checkSurveyLinkSecret(context)),
  ]);
  return [credentials, stackCheck, ...rest];
}

/** 0 when nothing failed, 1 otherwise: what the CLI exits with. */
export function exitCodeOf(results: readonly CheckResult[]): number {
  return results.some((result) => result.status === 'fail') ? 1 : 0;
}
