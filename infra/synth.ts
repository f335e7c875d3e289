/**
 * The app as `cdk synth -c config=<name>` builds it (cdk.json's feature
 * flags, the compliance packs), for the tools that need the templates
 * without the CLI: the preflight (what the stacks reserve, which bootstrap
 * they need) and the infra tests.
 */
import { readFileSync } from 'node:fs';
import { App, type Environment } from 'aws-cdk-lib';
import { addClinicReminders, type ClinicReminders } from './clinic-reminders';
import type { DeploymentConfig } from './config/schema';
import { type DataProtection, LOCKED } from './constructs/data-protection';

/** The context `cdk synth` runs with (feature flags), from cdk.json. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface BuildOptions {
  /** Run esbuild for every function (seconds each); off, the templates are the same but the code assets are not built. */
  readonly bundle?: boolean;
  /** Where the cloud assembly goes (a temporary folder of the CDK's own otherwise). */
  readonly outdir?: string;
  /** As `-c firstDeploy` sets it; locked unless given. */
  readonly protection?: DataProtection;
  readonly env?: Environment;
}

/**
 * Builds the deployment's app. Without bundling, the `aws:cdk:bundling-stacks`
 * context is empty, so CDK synthesises every stack without running bundlers
 * (what `cdk synth --exclusively` does for the stacks it is not deploying).
 *
 * @param config - the validated deployment config
 * @param options - bundling, output folder, locks and environment
 */
export function buildApp(
  config: DeploymentConfig,
  options: BuildOptions = {},
): ClinicReminders & { app: App } {
  const app = new App({
    context: {
      ...cdkJsonContext(),
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  return { app, ...addClinicReminders(app, config, options.env ?? {}, options.protection ?? LOCKED) };
}
