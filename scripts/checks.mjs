/**
 * The checks `npm test` runs before the tests: the console's API types, then
 * three chains at once (the type check of the code, the console's type check
 * and build, and the linters). Each chain is the same commands `npm run
 * typecheck`, `npm run lint` and `npm run console:build` run one after
 * another; here they share the machine's two cores instead of waiting on each
 * other (docs/benchmarks.md, "Test suite time"). Each chain's output is
 * printed whole when it ends; the exit code is non-zero if any command failed.
 */
import { spawn } from 'node:child_process';

const bin = (name) => `node_modules/.bin/${name}`;

/** Runs one command; resolves with its exit code and everything it printed. */
function run([command, ...args]) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Runs a chain's commands in order, stopping at the first that fails. */
async function chain(name, commands) {
  const started = Date.now();
  let printed = '';
  for (const command of commands) {
    printed += `$ ${command.join(' ')}\n`;
    const { code, output } = await run(command);
    printed += output;
    if (code !== 0) return { name, ok: false, printed, seconds: (Date.now() - started) / 1000 };
  }
  return { name, ok: true, printed, seconds: (Date.now() - started) / 1000 };
}

const first = await chain('console API types', [[bin('tsx'), 'console/scripts/api-types.ts']]);
process.stdout.write(first.printed);
if (!first.ok) {
  console.error('checks failed: console API types');
  process.exit(1);
}

const results = await Promise.all([
  chain('typecheck', [[bin('tsc'), '--noEmit', '-p', 'tsconfig.json']]),
  chain('console typecheck and build', [
    [bin('tsc'), '--noEmit', '-p', 'console/tsconfig.json'],
    [bin('vite'), 'build', '-c', 'console/vite.config.ts'],
  ]),
  chain('lint', [
    [bin('biome'), 'check', '.'],
    [bin('eslint'), '--max-warnings', '0', '.'],
  ]),
]);
for (const result of results) {
  process.stdout.write(
    `\n== ${result.name}: ${result.ok ? 'ok' : 'FAILED'} (${result.seconds.toFixed(1)} s)\n`,
  );
  process.stdout.write(result.printed);
}
const failed = results.filter((result) => !result.ok).map((result) => result.name);
if (failed.length > 0) {
  console.error(`\nchecks failed: ${failed.join(', ')}`);
  process.exit(1);
}
