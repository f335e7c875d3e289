import { type App, type Environment, Tags } from 'aws-cdk-lib';
import { applyCompliancePacks } from './compliance';
import type { DeploymentConfig } from './config/schema';
import { type DataProtection, LOCKED } from './constructs/data-protection';
import { StatefulStack } from './stacks/stateful-stack';
import { StatelessStack } from './stacks/stateless-stack';

export interface ClinicReminders {
  stateful: StatefulStack;
  stateless: StatelessStack;
}

/**
 * Adds one deployment (one clinic or a group of clinics) to the app: a
 * stateful and a stateless stack, tagged, under the compliance packs.
 *
 * @param app - the CDK app
 * @param config - the validated deployment config
 * @param env - account and region; the config's own take precedence
 * @param protection - locks on (every deploy) or off (the first create, `-c firstDeploy=true`)
 */
export function addClinicReminders(
  app: App,
  config: DeploymentConfig,
  env: Environment = {},
  protection: DataProtection = LOCKED,
): ClinicReminders {
  const resolvedEnv: Environment = {
    ...((config.account ?? env.account) ? { account: config.account ?? env.account } : {}),
    ...((config.region ?? env.region) ? { region: config.region ?? env.region } : {}),
  };
  const prefix = `ClinicReminders-${config.name}`;
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    config,
    protection,
    env: resolvedEnv,
    description: `clinic-reminders ${config.name}: key, tables, queues, bus, topics (retained data)`,
    // Stops a `cdk destroy` or a console delete of the stack itself: the
    // data would be kept, but the next deploy would create new, empty
    // tables beside it. Off for the first create, so that a create that
    // rolls back can be deleted and tried again (data-protection.ts); the
    // CLI applies this setting on every deploy.
    terminationProtection: protection.locked,
  });
  const stateless = new StatelessStack(app, `${prefix}-Stateless`, {
    config,
    stateful,
    env: resolvedEnv,
    description: `clinic-reminders ${config.name}: functions, schedule, alarms and dashboard`,
  });
  stateless.addStackDependency(stateful);
  for (const stack of [stateful, stateless]) {
    Tags.of(stack).add('project', 'clinic-reminders');
    Tags.of(stack).add('deployment', config.name);
  }
  applyCompliancePacks(app);
  return { stateful, stateless };
}
