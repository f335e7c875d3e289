/** The email survey links' signing secret: a SecureString the operator puts once per deployment. */
import { DescribeParametersCommand } from '@aws-sdk/client-ssm';
import type { CheckResult, PreflightContext } from '../preflight';

/** The key the parameter must be encrypted with: the functions get no KMS grant, this key's policy needs none. */
export const SURVEY_LINK_PARAMETER_KEY = 'alias/aws/ssm';

/**
 * That the survey link secret's parameter exists in the region, as a
 * SecureString under the AWS managed key (docs/deploy.md, "Email survey
 * links: the signing secret"). Reads its description only, never its value.
 *
 * @param context - the preflight context
 */
export async function checkSurveyLinkSecret(context: PreflightContext): Promise<CheckResult> {
  const title = 'Survey link secret';
  const name = context.needs.surveyLinkParameter;
  const put =
    `aws ssm put-parameter --region ${context.region} --name ${name} --type SecureString ` +
    '--value "$(openssl rand -base64 48)"';
  const answer = await context.clients.ssm.send(
    new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }] }),
  );
  const parameter = answer.Parameters?.find((found) => found.Name === name);
  if (!parameter) {
    return {
      title,
      status: 'fail',
      detail: `no parameter ${name} in ${context.region}: survey emails cannot be signed`,
      fix: `Put it once (a random value; nobody needs to know it): ${put}`,
    };
  }
  if (parameter.Type !== 'SecureString') {
    return {
      title,
      status: 'fail',
      detail: `${name} is a ${parameter.Type ?? 'untyped'} parameter; it must be a SecureString`,
      fix: `Delete it (aws ssm delete-parameter --region ${context.region} --name ${name}), then put it again: ${put}`,
    };
  }
  if (parameter.KeyId !== SURVEY_LINK_PARAMETER_KEY) {
    return {
      title,
      status: 'fail',
      detail: `${name} is encrypted with ${parameter.KeyId ?? 'an unknown key'}; the functions may decrypt it only under ${SURVEY_LINK_PARAMETER_KEY}`,
      fix: `Put it again under the default key: ${put} --overwrite`,
    };
  }
  return { title, status: 'ok', detail: `${name}, a SecureString under ${SURVEY_LINK_PARAMETER_KEY}` };
}
