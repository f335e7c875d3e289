/** The preflight's command line, as the CDK CLI spells context: `-c config=<name>`. */
import { ConfigError } from '../../shared/domain/errors';

const USAGE = 'usage: npm run preflight -- -c config=<name>';

/**
 * The `config` context value from `-c config=<name>` (or `--context`), as
 * the CDK CLI takes it.
 *
 * @param argv - the arguments after the script name
 */
export function configNameFrom(argv: readonly string[]): string | undefined {
  let name: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const value =
      arg === '-c' || arg === '--context'
        ? argv[++i]
        : arg.startsWith('--context=')
          ? arg.slice(10)
          : undefined;
    const match = value === undefined ? null : /^config=(.+)$/.exec(value);
    if (!match) {
      throw new ConfigError(
        [
          {
            path: 'arguments',
            message: `${[arg, value].filter(Boolean).join(' ')} is not understood: ${USAGE}`,
          },
        ],
        'preflight arguments',
      );
    }
    name = match[1];
  }
  return name;
}
