import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../shared/domain/errors';
import { safeParseInput, toFieldIssues } from '../../shared/domain/validation';
import { type DeploymentConfig, DeploymentConfigSchema } from './schema';

/** Where the committed deployment configs live. */
export const CONFIG_DIR = dirname(fileURLToPath(import.meta.url));

const CONFIG_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * The committed examples, which tests and `npm run synth` use by these
 * names; a deployment's own file is named after its `name`.
 */
export const EXAMPLE_CONFIGS: ReadonlySet<string> = new Set(['example', 'group-example']);

/** Names of the config files in `dir` (without `.json`). */
export function availableConfigs(dir = CONFIG_DIR): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/**
 * Validates a parsed config file; throws a {@link ConfigError} that lists
 * every bad key (`clinics.0.timeZone: must be an IANA time zone …`).
 *
 * @param input - the parsed JSON
 * @param source - how to name the file in the error
 */
export function parseDeploymentConfig(input: unknown, source: string): DeploymentConfig {
  const result = safeParseInput(DeploymentConfigSchema, input);
  if (!result.success) throw new ConfigError(toFieldIssues(result.error.issues), source);
  return result.data;
}

/**
 * Reads and validates `infra/config/<name>.json`, the file chosen with
 * `cdk synth -c config=<name>`.
 *
 * @param name - the config name from the CDK context
 * @param dir - the config folder (tests pass their own)
 */
export function loadDeploymentConfig(name: unknown, dir = CONFIG_DIR): DeploymentConfig {
  const choices = availableConfigs(dir).join(', ');
  if (typeof name !== 'string' || name === '') {
    throw new ConfigError(
      [
        {
          path: 'config',
          // cdk bootstrap synthesises the app too, so it needs the option as well.
          message: `is required: run with -c config=<name> (cdk bootstrap too), one of ${choices}`,
        },
      ],
      'CDK context',
    );
  }
  const file = join(dir, `${name}.json`);
  if (!CONFIG_NAME.test(name) || !existsSync(file)) {
    throw new ConfigError(
      [{ path: 'config', message: `no infra/config/${name}.json; choose one of ${choices}` }],
      'CDK context',
    );
  }
  const source = `deployment config infra/config/${name}.json`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      [{ path: '(file)', message: `is not valid JSON: ${(error as Error).message}` }],
      source,
    );
  }
  const config = parseDeploymentConfig(parsed, source);
  if (config.name !== name && !EXAMPLE_CONFIGS.has(name)) {
    throw new ConfigError(
      [
        {
          path: 'name',
          message:
            `is ${config.name}, but the file is ${name}.json: name the file ${config.name}.json, so that ` +
            '-c config=, the stacks and every command use the one name',
        },
      ],
      source,
    );
  }
  return config;
}

/** One line per problem, for the terminal. */
export function describeConfigError(error: ConfigError): string {
  return [
    error.message.split(':')[0] ?? 'Invalid config',
    ...error.issues.map((i) => `  - ${i.path}: ${i.message}`),
  ].join('\n');
}
