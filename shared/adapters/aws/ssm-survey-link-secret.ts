/**
 * The survey links' secret from SSM Parameter Store: a SecureString the
 * operator puts once per deployment (docs/deploy.md, "Email survey links:
 * the signing secret"; the preflight checks it is there). Read once per
 * function instance and kept: a warm function signs and checks links with
 * no call; a failed read is not kept, so the next request tries again.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { SurveyLinkSecret } from '../../ports/outbound';

/** Shortest secret accepted: HMAC-SHA256 wants at least its output's 32 bytes. */
export const MIN_SECRET_BYTES = 32;

export class SsmSurveyLinkSecret implements SurveyLinkSecret {
  private cached: Promise<Uint8Array> | undefined;

  constructor(
    private readonly client: SSMClient,
    private readonly parameterName: string,
  ) {}

  key(): Promise<Uint8Array> {
    this.cached ??= this.read().catch((error: unknown) => {
      this.cached = undefined;
      throw error;
    });
    return this.cached;
  }

  private async read(): Promise<Uint8Array> {
    const { Parameter } = await this.client.send(
      new GetParameterCommand({ Name: this.parameterName, WithDecryption: true }),
    );
    if (Parameter?.Type !== 'SecureString') {
      throw new Error(`the survey link secret ${this.parameterName} must be a SecureString parameter`);
    }
    const key = Buffer.from(Parameter.Value ?? '', 'utf8');
    if (key.length < MIN_SECRET_BYTES) {
      throw new Error(
        `the survey link secret ${this.parameterName} must hold at least ${MIN_SECRET_BYTES} bytes`,
      );
    }
    return key;
  }
}

/** A function built without the parameter's name: the first link it signs or checks says what is missing. */
class UnconfiguredSurveyLinkSecret implements SurveyLinkSecret {
  async key(): Promise<Uint8Array> {
    throw new Error('SURVEY_LINK_SECRET_PARAMETER is not set: survey links cannot be signed or checked');
  }
}

/**
 * The survey links' secret of a function: the caller's own (local mode, tests), else Parameter Store's.
 *
 * @param region - the AWS region
 * @param parameterName - SURVEY_LINK_SECRET_PARAMETER
 * @param own - local mode's or a test's secret
 */
export function surveyLinkSecretOf(
  region: string,
  parameterName: string | undefined,
  own?: SurveyLinkSecret,
): SurveyLinkSecret {
  if (own) return own;
  if (!parameterName) return new UnconfiguredSurveyLinkSecret();
  return new SsmSurveyLinkSecret(new SSMClient({ region }), parameterName);
}
