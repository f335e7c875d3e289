/**
 * The checks `npm test` runs before the tests: the console's API types, then
 * three chains at once: both type checks and ESLint on shared programs
 * (scripts/typecheck-and-lint.mjs: what `npm run typecheck` and ESLint in
 * `npm run lint` check, each program built once), the console's build, and
 * Biome. They share the machine's two cores instead of waiting on each
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
  // Both type checks and ESLint's type-aware rules on one program per tsconfig
  // (scripts/typecheck-and-lint.mjs): each program was built twice before.
  chain('type checks and eslint', [['node', 'scripts/typecheck-and-lint.mjs']]),
  chain('console build', [[bin('vite'), 'build', '-c', 'console/vite.config.ts']]),
  chain('biome', [[bin('biome'), 'check', '.']]),
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
