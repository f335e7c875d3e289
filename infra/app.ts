/**
 * The CDK app a clinic deploys: `npx cdk deploy --all -c config=<name>`
 * reads `infra/config/<name>.json` (see docs/deploy.md).
 */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../shared/domain/errors';
import { addClinicReminders } from './clinic-reminders';
import { describeConfigError, loadDeploymentConfig } from './config/load';

const app = new App();
try {
  const config = loadDeploymentConfig(app.node.tryGetContext('config'));
  addClinicReminders(app, config, {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(describeConfigError(error));
  process.exit(1);
}
