/** The preflight's SDK clients, one per service it reads, all in the deployment's region. */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { PreflightClients } from './preflight';

/**
 * Builds every client the preflight uses, with the SDK's default
 * credentials chain (AWS_PROFILE, environment, SSO, instance role).
 *
 * @param region - the deployment's region
 */
export function clientsFor(region: string): PreflightClients {
  return {
    sts: new STSClient({ region }),
    cloudFormation: new CloudFormationClient({ region }),
    ssm: new SSMClient({ region }),
    lambda: new LambdaClient({ region }),
    sns: new SNSClient({ region }),
    sms: new PinpointSMSVoiceV2Client({ region }),
    ses: new SESv2Client({ region }),
    cognito: new CognitoIdentityProviderClient({ region }),
  };
}
