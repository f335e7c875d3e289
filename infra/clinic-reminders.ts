import { type App, type Environment, Tags } from 'aws-cdk-lib';
import { applyCompliancePacks } from './compliance';
import type { DeploymentConfig } from './config/schema';
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
 */
export function addClinicReminders(
  app: App,
  config: DeploymentConfig,
  env: Environment = {},
): ClinicReminders {
  const resolvedEnv: Environment = {
    ...((config.account ?? env.account) ? { account: config.account ?? env.account } : {}),
    ...((config.region ?? env.region) ? { region: config.region ?? env.region } : {}),
  };
  const prefix = `ClinicReminders-${config.name}`;
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    config,
    env: resolvedEnv,
    description: `clinic-reminders ${config.name}: key, tables, queues, bus, topics (retained data)`,
    // The tables are retained anyway; this stops an accidental `cdk destroy` of the stack itself.
    terminationProtection: true,
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
