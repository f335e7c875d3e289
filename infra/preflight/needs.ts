/**
 * What a deployment needs of its account, read from the templates the app
 * synthesises, so the preflight can never disagree with what `cdk deploy`
 * will ask for (no number copied from the stacks' code).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeploymentConfig } from '../config/schema';
import { buildApp } from '../synth';

export interface ReservedConcurrency {
  /** Logical id of the function in the stateless stack. */
  readonly logicalId: string;
  readonly reserved: number;
}

export interface DeploymentNeeds {
  readonly stacks: { readonly stateful: string; readonly stateless: string };
  /** Every function that reserves concurrency, with its reservation. */
  readonly reservedConcurrency: readonly ReservedConcurrency[];
  /** The SSM parameter `cdk bootstrap` writes its version to, and the least version the stacks need. */
  readonly bootstrap: { readonly parameter: string; readonly minVersion: number };
  /** The staff user pool's name, as the stateful template sets it. */
  readonly userPoolName: string;
  /** The SecureString parameter the functions read the survey link secret from, as the template names it. */
  readonly surveyLinkParameter: string;
}

interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

function resourcesOf(template: unknown): Record<string, TemplateResource> {
  return ((template as { Resources?: Record<string, TemplateResource> }).Resources ?? {}) as Record<
    string,
    TemplateResource
  >;
}

/**
 * Synthesises the deployment (without bundling, into a temporary folder)
 * and reads its needs from the cloud assembly.
 *
 * @param config - the validated deployment config
 */
export function deploymentNeeds(config: DeploymentConfig): DeploymentNeeds {
  const outdir = mkdtempSync(join(tmpdir(), 'clinic-reminders-preflight-'));
  try {
    const { app, stateful, stateless } = buildApp(config, { outdir });
    const assembly = app.synth();
    const statefulArtifact = assembly.getStackArtifact(stateful.artifactId);
    const statelessArtifact = assembly.getStackArtifact(stateless.artifactId);

    const reservedConcurrency = Object.entries(resourcesOf(statelessArtifact.template))
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
      .flatMap(([logicalId, resource]) => {
        const reserved = resource.Properties?.ReservedConcurrentExecutions;
        return typeof reserved === 'number' ? [{ logicalId, reserved }] : [];
      });
    const surveyLinkParameters = new Set(
      Object.values(resourcesOf(statelessArtifact.template)).flatMap((resource) => {
        const env = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
          ?.Variables;
        const name = env?.SURVEY_LINK_SECRET_PARAMETER;
        return resource.Type === 'AWS::Lambda::Function' && typeof name === 'string' ? [name] : [];
      }),
    );
    const [surveyLinkParameter, ...others] = [...surveyLinkParameters];
    if (!surveyLinkParameter || others.length > 0)
      throw new Error(
        'the functions name no one survey link secret parameter (SURVEY_LINK_SECRET_PARAMETER)',
      );
    const pool = Object.values(resourcesOf(statefulArtifact.template)).find(
      (resource) => resource.Type === 'AWS::Cognito::UserPool',
    );
    const parameter = statefulArtifact.bootstrapStackVersionSsmParameter;
    if (!parameter)
      throw new Error('the stacks name no bootstrap version parameter (not the default synthesizer?)');
    return {
      stacks: { stateful: statefulArtifact.stackName, stateless: statelessArtifact.stackName },
      reservedConcurrency,
      bootstrap: {
        parameter,
        // Both stacks use the same synthesizer; the higher of the two is what a deploy checks.
        minVersion: Math.max(
          statefulArtifact.requiresBootstrapStackVersion ?? 1,
          statelessArtifact.requiresBootstrapStackVersion ?? 1,
        ),
      },
      userPoolName: String(pool?.Properties?.UserPoolName ?? ''),
      surveyLinkParameter,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
