/**
 * `npm run preflight -- -c config=<name>`: reads what the deployment
 * `infra/config/<name>.json` needs of the AWS account and region the
 * credentials point at, prints the checklist and exits 1 when a check
 * fails (2 when it cannot run at all). It only reads.
 */
import { STSClient } from '@aws-sdk/client-sts';
import { ConfigError } from '../../shared/domain/errors';
import { describeConfigError, loadDeploymentConfig } from '../config/load';
import { configNameFrom } from './args';
import { clientsFor } from './clients';
import { deploymentNeeds } from './needs';
import { exitCodeOf, runPreflight } from './preflight';
import { formatReport } from './report';

// The SDK warns that its releases after January 2027 need Node 22; the
// project pins one that runs on Node 20 (README), as local mode does.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** The config's region, else the one the SDK finds (AWS_REGION, the profile). */
async function regionFor(pinned: string | undefined): Promise<string | undefined> {
  if (pinned) return pinned;
  try {
    return await new STSClient({}).config.region();
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  let configName: string;
  let config: ReturnType<typeof loadDeploymentConfig>;
  try {
    const given = configNameFrom(process.argv.slice(2));
    config = loadDeploymentConfig(given);
    configName = given ?? config.name;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(describeConfigError(error));
    return 2;
  }
  const region = await regionFor(config.region);
  if (!region) {
    console.error('No region: set AWS_REGION (or a profile with a region), or pin "region" in the config.');
    return 2;
  }
  console.error(`Synthesising ${configName} to read what its stacks need…`);
  const needs = deploymentNeeds(config);
  const results = await runPreflight({ config, configName, region, needs, clients: clientsFor(region) });
  process.stdout.write(formatReport(results, { name: config.name, region }));
  return exitCodeOf(results);
}

process.exitCode = await main();
