import { type App, type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { ClinicReminders } from '../../infra/clinic-reminders';
import { loadDeploymentConfig } from '../../infra/config/load';
import type { DeploymentConfig } from '../../infra/config/schema';
import type { DataProtection } from '../../infra/constructs/data-protection';
import { buildApp, cdkJsonContext } from '../../infra/synth';

/** A synthesis takes seconds, more on a busy machine: hooks that synthesize get this long. */
export const SYNTH_TIMEOUT = 90_000;

export interface Synthesized extends ClinicReminders {
  app: App;
  config: DeploymentConfig;
  statefulTemplate: Template;
  statelessTemplate: Template;
}

/**
 * Builds the app the way `cdk synth -c config=<name>` does (infra/synth.ts)
 * and synthesizes it once. Bundling is skipped unless asked for: esbuild
 * takes seconds per function and these tests read the templates, not the
 * code; bundling.test.ts bundles for real.
 *
 * @param config - a config name under infra/config, or a config object
 * @param options - `bundle: true` to run esbuild; `outdir` for the cloud assembly; `protection`
 *   as `-c firstDeploy` sets it (locked unless given)
 */
export function synthesize(
  config: string | DeploymentConfig,
  options: { bundle?: boolean; outdir?: string; protection?: DataProtection } = {},
): Synthesized {
  const resolved = typeof config === 'string' ? loadDeploymentConfig(config) : config;
  const { app, ...stacks } = buildApp(resolved, { ...options, env: { region: 'us-east-1' } });
  return {
    ...stacks,
    app,
    config: resolved,
    statefulTemplate: Template.fromStack(stacks.stateful),
    statelessTemplate: Template.fromStack(stacks.stateless),
  };
}

const shared = new Map<string, Synthesized>();

/**
 * The app of a named config, synthesized once per test worker and shared by
 * the files that only read it: the infra project runs its files without
 * isolation (vitest.config.ts), so the files one worker runs share this
 * cache, and the suite synthesizes `example` about twice instead of once per
 * file. A test that changes the app (validations, aspects) or needs other
 * options calls {@link synthesize} for an app of its own.
 *
 * @param config - a config name under infra/config
 */
export function sharedSynthesis(config: string): Synthesized {
  const known = shared.get(config);
  if (known) return known;
  const synth = synthesize(config);
  shared.set(config, synth);
  return synth;
}

/** Resources of one type in a template, by logical id. */
export function resourcesOf(
  template: Template,
  type: string,
): Record<
  string,
  { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
> {
  return template.findResources(type) as Record<
    string,
    { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
  >;
}

/** The construct behind a logical id of a stack. */
export function constructOf(stack: Stack, logicalId: string): CfnResource {
  const found = stack.node
    .findAll()
    .find(
      (node): node is CfnResource =>
        (node as CfnResource).cfnResourceType !== undefined &&
        stack.getLogicalId(node as CfnResource) === logicalId,
    );
  if (!found) throw new Error(`no construct for ${logicalId}`);
  return found;
}

/** Rule ids acknowledged on a construct or any of its scopes, with their reasons. */
export function acknowledgementsOf(construct: IConstruct): Map<string, string> {
  const found = new Map<string, string>();
  for (let current: IConstruct | undefined = construct; current; current = current.node.scope) {
    for (const entry of current.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        const rule = id.replace(/^annotation::/i, '');
        if (!found.has(rule)) found.set(rule, reason);
      }
    }
  }
  return found;
}

/** Every acknowledgement in the app: construct path → rule id → reason. */
export function allAcknowledgements(app: App): Map<string, Map<string, string>> {
  const all = new Map<string, Map<string, string>>();
  for (const node of app.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      const rules = all.get(node.node.path) ?? new Map<string, string>();
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        rules.set(id.replace(/^annotation::/i, ''), reason);
      }
      all.set(node.node.path, rules);
    }
  }
  return all;
}

/**
 * The topic-policy statement that lets End User Messaging of this account
 * and region publish: to the inbound topic from any of its resources (`*`),
 * to the receipts topic from one configuration set only.
 *
 * @param resource - what follows `arn:…:sms-voice:region:account:`
 * @param sid - the statement id, where the stack names it
 */
export function smsVoicePublishes(resource: string, sid?: string) {
  return Match.objectLike({
    ...(sid ? { Sid: sid } : {}),
    Effect: 'Allow',
    Principal: { Service: 'sms-voice.amazonaws.com' },
    Action: 'sns:Publish',
    Condition: {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':sms-voice:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              `:${resource}`,
            ],
          ],
        },
      },
    },
  });
}

export { cdkJsonContext, Stack };
