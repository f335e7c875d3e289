/**
 * The CDK app a clinic deploys: `npx cdk deploy --all -c config=<name>`
 * reads `infra/config/<name>.json` (see docs/deploy.md). The very first
 * deploy adds `-c firstDeploy=true` (constructs/data-protection.ts).
 */
import { Annotations, App } from 'aws-cdk-lib';
import { ConfigError } from '../shared/domain/errors';
import { addClinicReminders } from './clinic-reminders';
import { describeConfigError, loadDeploymentConfig } from './config/load';
import {
  dataProtectionFromContext,
  FIRST_DEPLOY_CONTEXT,
  KEEP_RETIRED_INDEXES_CONTEXT,
  keepRetiredIndexesFromContext,
} from './constructs/data-protection';

const app = new App();
try {
  const config = loadDeploymentConfig(app.node.tryGetContext('config'));
  const protection = {
    ...dataProtectionFromContext(app.node.tryGetContext(FIRST_DEPLOY_CONTEXT)),
    keepRetiredIndexes: keepRetiredIndexesFromContext(app.node.tryGetContext(KEEP_RETIRED_INDEXES_CONTEXT)),
  };
  const { stateful } = addClinicReminders(
    app,
    config,
    { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    protection,
  );
  if (protection.keepRetiredIndexes) {
    Annotations.of(stateful).addInfo(
      `${KEEP_RETIRED_INDEXES_CONTEXT}: the tables keep the indexes this release replaced beside their successors. ` +
        'Once every new index is ACTIVE, deploy again without it: that drops the old ones (docs/deploy.md, "Upgrading").',
    );
  }
  if (!protection.locked) {
    Annotations.of(stateful).addInfo(
      `${FIRST_DEPLOY_CONTEXT}: created without termination protection and without deletion protection on the ` +
        'tables and the user pool, so that a create that fails rolls back to nothing. Deploy again without ' +
        `-c ${FIRST_DEPLOY_CONTEXT}=true as soon as this one succeeds: that turns them on.`,
    );
  }
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(describeConfigError(error));
  process.exit(1);
}
