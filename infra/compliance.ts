import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Runs the AWS Solutions, HIPAA Security and Serverless rule packs over the
 * whole app as CDK validation plugins: synthesis fails on any finding that
 * is not acknowledged, warnings included.
 *
 * @param app - the CDK app
 */
export function applyCompliancePacks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new HIPAASecurityChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
}

/**
 * Accepts one cdk-nag finding on one construct (and its children), with the
 * reason in code where a reviewer reads it.
 *
 * @param scope - the construct the finding is about
 * @param id - the rule id, with the finding in brackets where the rule has several (`AwsSolutions-IAM5[Resource::*]`)
 * @param reason - why the finding is acceptable here
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
