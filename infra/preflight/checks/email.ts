/** SES: production access, the sending identity and the configuration set's name. */
import {
  GetAccountCommand,
  GetConfigurationSetCommand,
  GetEmailIdentityCommand,
  NotFoundException,
} from '@aws-sdk/client-sesv2';
import type { CheckResult, DeployedStacks, PreflightContext } from '../preflight';

/**
 * That SES is out of the sandbox, sending, in good standing, and fast
 * enough for the configured email rate.
 *
 * @param context - the preflight context
 */
export async function checkSesAccount(context: PreflightContext): Promise<CheckResult> {
  const title = 'SES account';
  const account = await context.clients.ses.send(new GetAccountCommand({}));
  const rate = account.SendQuota?.MaxSendRate;
  const standing = account.EnforcementStatus ?? 'HEALTHY';
  if (account.ProductionAccessEnabled !== true) {
    return {
      title,
      status: 'fail',
      detail: `SES is in the sandbox in ${context.region}: it sends only to verified addresses, 200 a day`,
      fix: 'Request production access: SES console, "Account dashboard", "Request production access" (reviewed within about a day).',
    };
  }
  if (account.SendingEnabled !== true || standing !== 'HEALTHY') {
    return {
      title,
      status: 'fail',
      detail: `sending is ${account.SendingEnabled === true ? 'enabled' : 'paused'}, account status ${standing}`,
      fix: 'Open the SES console, "Reputation metrics" and "Account dashboard": resolve what paused sending, or ask AWS Support.',
    };
  }
  const configured = context.config.email.sendRatePerSecond;
  if (rate !== undefined && configured > rate) {
    return {
      title,
      status: 'fail',
      detail: `production access; the account sends at most ${rate} emails a second and the config says email.sendRatePerSecond ${configured}`,
      fix: `Set email.sendRatePerSecond to ${rate} or less, or ask for a higher SES sending rate (Service Quotas, Amazon SES).`,
    };
  }
  return {
    title,
    status: 'ok',
    detail: `production access, sending, ${rate ?? '?'} emails a second (the config uses ${configured})`,
  };
}

/**
 * That the identity the config sends from is verified in this region.
 *
 * @param context - the preflight context
 */
export async function checkSesIdentity(context: PreflightContext): Promise<CheckResult> {
  const title = 'SES identity';
  const { identity } = context.config.email;
  try {
    const answer = await context.clients.ses.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
    if (answer.VerifiedForSendingStatus === true) {
      return {
        title,
        status: 'ok',
        detail: `${identity} is verified for sending${answer.DkimAttributes?.Status ? `, DKIM ${answer.DkimAttributes.Status}` : ''}`,
      };
    }
    return {
      title,
      status: 'fail',
      detail: `${identity} is not verified for sending (verification ${answer.VerificationStatus ?? 'unknown'}${answer.DkimAttributes?.Status ? `, DKIM ${answer.DkimAttributes.Status}` : ''})`,
      fix: identity.includes('@')
        ? `Click the link SES mailed to ${identity}, or send it again from the SES console ("Identities").`
        : `Publish the DKIM CNAME records the SES console shows for ${identity} ("Identities") in its DNS, then wait for SES to see them.`,
    };
  } catch (error) {
    if (!(error instanceof NotFoundException)) throw error;
    return {
      title,
      status: 'fail',
      detail: `${identity} is not an SES identity in ${context.region}`,
      fix: `Identities belong to one region: create and verify ${identity} in SES in ${context.region} ("Identities", "Create identity").`,
    };
  }
}

/**
 * Before the first create: that no configuration set of the configured
 * name exists yet (the stack creates it, and a taken name fails the create).
 *
 * @param context - the preflight context
 * @param stacks - the stacks that exist
 */
export async function checkSesConfigurationSet(
  context: PreflightContext,
  stacks: DeployedStacks,
): Promise<CheckResult> {
  const title = 'SES configuration set';
  const name = context.config.email.configurationSetName;
  if (stacks.stateful) {
    return { title, status: 'ok', detail: `${name} belongs to ${stacks.stateful.name}` };
  }
  try {
    await context.clients.ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: name }));
  } catch (error) {
    if (!(error instanceof NotFoundException)) throw error;
    return { title, status: 'ok', detail: `${name} is free: the stateful stack creates it` };
  }
  return {
    title,
    status: 'fail',
    detail: `a configuration set named ${name} already exists in ${context.region}: the stateful stack cannot create it`,
    fix: `Choose another email.configurationSetName, or delete the old set (aws sesv2 delete-configuration-set --configuration-set-name ${name}) if nothing uses it.`,
  };
}
