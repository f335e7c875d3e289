/** SMS: the sandbox, the spend limit, the origination identity and inbound texts. */
import {
  DescribePhoneNumbersCommand,
  DescribeRegistrationsCommand,
  DescribeSenderIdsCommand,
  DescribeSpendLimitsCommand,
  type PhoneNumberInformation,
  ResourceNotFoundException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { GetSMSAttributesCommand, GetSMSSandboxAccountStatusCommand } from '@aws-sdk/client-sns';
import { partsPerSecondOf } from '../../../shared/config/settings';
import type { DeploymentConfig } from '../../config/schema';
import { STATEFUL_OUTPUTS } from '../../stacks/stateful-stack';
import type { CheckResult, DeployedStacks, PreflightContext } from '../preflight';

/** What every new account may spend on SMS in a month until a support case raises it, in USD. */
export const NEW_ACCOUNT_SMS_SPEND_LIMIT_USD = 1;

/**
 * That the account has left the SMS sandbox, in which texts reach only
 * verified destination numbers.
 *
 * @param context - the preflight context
 */
export async function checkSmsSandbox(context: PreflightContext): Promise<CheckResult> {
  const answer = await context.clients.sns.send(new GetSMSSandboxAccountStatusCommand({}));
  if (answer.IsInSandbox !== false) {
    return {
      title: 'SMS sandbox',
      status: 'fail',
      detail: `the account is in the SMS sandbox in ${context.region}: texts reach only verified destination numbers`,
      fix:
        'Request production access: End User Messaging SMS console, "SMS sandbox", "Move to production" ' +
        '(a support case; allow a day or more). Verified numbers keep working meanwhile.',
    };
  }
  return { title: 'SMS sandbox', status: 'ok', detail: `out of the sandbox in ${context.region}` };
}

/**
 * That the monthly SMS spend limit is at least the config's monthly budget
 * (`sms.monthlyBudgetUsd`, which the spend alarms also use). SNS sends
 * through End User Messaging, and either service's limit stops texts, so
 * the lower of the two counts.
 *
 * @param context - the preflight context
 */
export async function checkSmsSpendLimit(context: PreflightContext): Promise<CheckResult> {
  const [attributes, limits] = await Promise.all([
    context.clients.sns.send(new GetSMSAttributesCommand({ attributes: ['MonthlySpendLimit'] })),
    context.clients.sms.send(new DescribeSpendLimitsCommand({})),
  ]);
  const text = limits.SpendLimits?.find((limit) => limit.Name === 'TEXT_MESSAGE_MONTHLY_SPEND_LIMIT');
  const endUserMessaging = text ? (text.Overridden ? text.EnforcedLimit : text.MaxLimit) : undefined;
  const snsRaw = attributes.attributes?.MonthlySpendLimit;
  const sns = snsRaw === undefined || snsRaw === '' ? undefined : Number(snsRaw);
  const candidates = [sns, endUserMessaging].filter((value): value is number => typeof value === 'number');
  const limit = candidates.length ? Math.min(...candidates) : NEW_ACCOUNT_SMS_SPEND_LIMIT_USD;
  const found =
    `$${limit} a month (SNS MonthlySpendLimit ${sns === undefined ? 'not set' : `$${sns}`}; ` +
    `End User Messaging ${text ? `$${endUserMessaging}${text.Overridden ? ' set' : ' account limit'}, at most $${text.MaxLimit}` : 'unknown'})`;
  const budget = context.config.sms.monthlyBudgetUsd;
  if (limit < budget) {
    return {
      title: 'SMS spend limit',
      status: 'fail',
      detail:
        `${found}, below the config's sms.monthlyBudgetUsd of $${budget}: texts stop when the limit is reached` +
        (limit <= NEW_ACCOUNT_SMS_SPEND_LIMIT_USD ? ' (this is still the new-account limit)' : ''),
      fix:
        `Ask AWS Support for an SMS spend limit of at least $${budget} (a support case, "Service limit increase", ` +
        `"SNS Text Messaging"), then set it: aws sns set-sms-attributes --attributes MonthlySpendLimit=${budget} ` +
        `and aws pinpoint-sms-voice-v2 set-text-message-spend-limit-override --monthly-limit ${budget}. ` +
        'docs/deploy.md, "What it costs", gives the spend per 10,000 reminders.',
    };
  }
  return {
    title: 'SMS spend limit',
    status: 'ok',
    detail: `${found}, covers the monthly budget of $${budget}`,
  };
}

/** The account's phone number that the config sends from, if the account has it in this region. */
async function findNumber(
  context: PreflightContext,
  number: string,
): Promise<PhoneNumberInformation | undefined> {
  let token: string | undefined;
  do {
    // The API filters by id, ARN, status or type, not by the number itself.
    const page = await context.clients.sms.send(
      new DescribePhoneNumbersCommand(token ? { NextToken: token } : {}),
    );
    const found = page.PhoneNumbers?.find((candidate) => candidate.PhoneNumber === number);
    if (found) return found;
    token = page.NextToken;
  } while (token);
  return undefined;
}

/** Number types US carriers deliver from only once registered. */
const REGISTERED_IN_US = new Set(['TOLL_FREE', 'TEN_DLC', 'LONG_CODE']);

/** What the config says a number may send, and where it says it. */
interface ConfiguredRate {
  rate: number;
  setting: string;
}

/**
 * The rate the sweep paces each number at: the shared number's
 * `sms.sendRatePerSecond`, a clinic's own number's `partsPerSecond` (or its
 * type's default).
 */
function configuredRates(config: DeploymentConfig): Map<string, ConfiguredRate> {
  const rates = new Map<string, ConfiguredRate>();
  if (config.sms.originationNumber)
    rates.set(config.sms.originationNumber, {
      rate: config.sms.sendRatePerSecond,
      setting: 'sms.sendRatePerSecond',
    });
  config.clinics.forEach((clinic, index) => {
    const identity = clinic.originationIdentity;
    // The shared number paces every clinic on it at sms.sendRatePerSecond.
    if (!identity || rates.has(identity.number)) return;
    const setting = `clinics.${index}.originationIdentity.partsPerSecond`;
    rates.set(identity.number, {
      rate: partsPerSecondOf(identity),
      setting:
        identity.partsPerSecond === undefined ? `${setting} (${identity.numberType} default)` : setting,
    });
  });
  return rates;
}

async function checkNumber(
  context: PreflightContext,
  number: string,
  configured: ConfiguredRate | undefined,
): Promise<CheckResult> {
  const title = 'SMS origination identity';
  const found = await findNumber(context, number);
  if (!found) {
    return {
      title,
      status: 'fail',
      detail: `${number} is not a phone number of this account in ${context.region}`,
      fix: `Numbers belong to one region: request ${number}'s kind of number in End User Messaging SMS in ${context.region} (or deploy to the region that holds it), and put its E.164 form in sms.originationNumber.`,
    };
  }
  const kind = `${found.NumberType ?? 'number'} ${number}`;
  if (found.NumberType === 'SIMULATOR') {
    return {
      title,
      status: 'fail',
      detail: `${kind} is a simulator number: it reaches only simulated destinations`,
      fix: 'Use a toll-free, 10DLC or short-code number for patients.',
    };
  }
  let registration = '';
  if (found.RegistrationId) {
    const answer = await context.clients.sms.send(
      new DescribeRegistrationsCommand({ RegistrationIds: [found.RegistrationId] }),
    );
    const status = answer.Registrations?.[0]?.RegistrationStatus ?? 'UNKNOWN';
    if (status !== 'COMPLETE') {
      return {
        title,
        status: 'fail',
        detail: `${kind}: its registration ${found.RegistrationId} is ${status}, so carriers do not deliver its texts yet`,
        fix:
          status === 'REQUIRES_UPDATES'
            ? 'Open the registration in End User Messaging SMS, change what the reviewers ask for, and submit it again.'
            : 'Wait for the registration to be approved (toll-free: about 15 business days; 10DLC campaigns vary); docs/deploy.md, "SMS", lists what it must say.',
      };
    }
    registration = `, registration ${found.RegistrationId} COMPLETE`;
  } else if (found.IsoCountryCode === 'US' && found.NumberType && REGISTERED_IN_US.has(found.NumberType)) {
    return {
      title,
      status: 'fail',
      detail: `${kind} has no registration: US carriers block texts from unregistered ${found.NumberType} numbers`,
      fix: 'Register it in End User Messaging SMS (toll-free registration, or a 10DLC brand and campaign) as docs/deploy.md, "SMS", describes.',
    };
  }
  if (found.Status !== 'ACTIVE') {
    return {
      title,
      status: 'fail',
      detail: `${kind} is ${found.Status ?? 'in an unknown state'}${registration}`,
      fix: 'Wait until the number is ACTIVE in End User Messaging SMS.',
    };
  }
  const rate = found.MessagingLimits?.RateLimits?.SMS;
  if (rate !== undefined && configured && configured.rate > rate) {
    const setting = configured.setting.replace(/ \(.*\)$/, '');
    return {
      title,
      status: 'fail',
      detail: `${kind} is ACTIVE${registration}, but sends at most ${rate} parts a second and the config says ${configured.setting} ${configured.rate}`,
      fix: `Set ${setting} to ${rate} or less: above it the provider throttles and sends wait for retries.`,
    };
  }
  return {
    title,
    status: 'ok',
    detail: `${kind} is ACTIVE${registration}${rate !== undefined ? `, ${rate} parts a second` : ''}`,
  };
}

async function checkSenderId(context: PreflightContext, senderId: string): Promise<CheckResult> {
  const title = 'SMS origination identity';
  const countries = [...new Set(context.config.clinics.map((clinic) => clinic.country))].sort();
  const found: string[] = [];
  for (const country of countries) {
    try {
      const answer = await context.clients.sms.send(
        new DescribeSenderIdsCommand({ SenderIds: [{ SenderId: senderId, IsoCountryCode: country }] }),
      );
      const entry = answer.SenderIds?.[0];
      found.push(`${country}${entry?.Registered ? ' (registered)' : ''}`);
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      return {
        title,
        status: 'fail',
        detail: `sender id ${senderId} is not set up for ${country} in ${context.region}`,
        fix: `Request the sender id ${senderId} for ${country} in End User Messaging SMS ("Sender IDs"); some countries register it first.`,
      };
    }
  }
  return { title, status: 'ok', detail: `sender id ${senderId} for ${found.join(', ')}` };
}

/**
 * The numbers the deployment texts from: the shared `sms.originationNumber`
 * and each clinic's own `originationIdentity`, once each.
 */
export function originationNumbers(config: DeploymentConfig): string[] {
  const numbers = [
    ...(config.sms.originationNumber ? [config.sms.originationNumber] : []),
    ...config.clinics.flatMap((clinic) =>
      clinic.originationIdentity ? [clinic.originationIdentity.number] : [],
    ),
  ];
  return [...new Set(numbers)];
}

/**
 * That every number the deployment texts from exists in this region, is
 * active, is registered where carriers require it, and allows the
 * configured send rate; or, for a sender id, that it is set up for the
 * clinics' countries.
 *
 * @param context - the preflight context
 */
export async function checkOrigination(context: PreflightContext): Promise<CheckResult> {
  const numbers = originationNumbers(context.config);
  if (numbers.length === 0) {
    const { senderId } = context.config.sms;
    if (senderId) return checkSenderId(context, senderId);
    throw new Error('the config names neither an origination number nor a sender id');
  }
  const results: CheckResult[] = [];
  const rates = configuredRates(context.config);
  for (const number of numbers) results.push(await checkNumber(context, number, rates.get(number)));
  const failed = results.filter((result) => result.status === 'fail');
  const fixes = [...new Set(failed.flatMap((result) => (result.fix ? [result.fix] : [])))];
  return {
    title: 'SMS origination identity',
    status: failed.length ? 'fail' : 'ok',
    detail: results.map((result) => result.detail).join('; '),
    ...(fixes.length ? { fix: fixes.join(' ') } : {}),
  };
}

/**
 * Once the stateful stack exists: that every clinic number that patients
 * can text back (a clinic's own `originationIdentity`) passes inbound texts
 * (STOP, HELP, replies) to the stack's inbound topic.
 *
 * @param context - the preflight context
 * @param stacks - the stacks that exist
 */
export async function checkInboundSms(
  context: PreflightContext,
  stacks: DeployedStacks,
): Promise<CheckResult> {
  const title = 'Inbound SMS';
  const numbers = [
    ...new Set(
      context.config.clinics.flatMap((clinic) =>
        clinic.originationIdentity ? [clinic.originationIdentity.number] : [],
      ),
    ),
  ];
  if (numbers.length === 0) {
    return { title, status: 'ok', detail: 'no clinic has a number of its own: no replies to route' };
  }
  const topic = stacks.stateful?.outputs[STATEFUL_OUTPUTS.inboundSmsTopicArn];
  if (!topic) {
    return {
      title,
      status: 'ok',
      detail: `set after the first deploy: two-way SMS on ${numbers.join(', ')} to the stack output ${STATEFUL_OUTPUTS.inboundSmsTopicArn}`,
    };
  }
  const problems: string[] = [];
  const fixes: string[] = [];
  for (const number of numbers) {
    const found = await findNumber(context, number);
    if (found?.TwoWayEnabled && found.TwoWayChannelArn === topic) continue;
    problems.push(
      found?.TwoWayEnabled
        ? `${number} sends inbound texts to ${found.TwoWayChannelArn ?? 'nowhere'}, not to this deployment's topic`
        : `two-way SMS is off on ${number}`,
    );
    fixes.push(
      `aws pinpoint-sms-voice-v2 update-phone-number --phone-number-id ${found?.PhoneNumberId ?? '<id>'} --two-way-enabled --two-way-channel-arn ${topic}`,
    );
  }
  if (problems.length === 0) {
    return {
      title,
      status: 'ok',
      detail: `${numbers.join(', ')} send${numbers.length === 1 ? 's' : ''} inbound texts to ${topic}`,
    };
  }
  return {
    title,
    status: 'fail',
    detail: `${problems.join('; ')}: STOP and replies are not recorded`,
    fix: `Turn on two-way SMS with the destination ${topic} (End User Messaging SMS console, the number, "Two-way SMS"; or ${fixes.join('; ')}).`,
  };
}
