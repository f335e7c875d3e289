/**
 * The type checks and the type-aware lint on one TypeScript program per
 * tsconfig, for `npm test` (scripts/checks.mjs).
 *
 * `tsc --noEmit -p tsconfig.json`, `tsc --noEmit -p console/tsconfig.json`
 * and `eslint .` each built the same programs again: ESLint's promise rules
 * need types, and typescript-eslint builds its own program from the
 * `project` in eslint.config.js unless it is handed one. Here each program is
 * built once, its diagnostics are reported as tsc reports them, and ESLint
 * runs with eslint.config.js as it is, given those programs
 * (`parserOptions.programs`, which typescript-eslint reads instead of
 * `project`). The rules, files and ignores are the config's own; only the
 * program is shared. `npm run typecheck` and `npm run lint` still run the
 * tools one by one. Exit code 1 on any type error or lint message.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';

const root = process.cwd();

/** Builds the program a tsconfig describes, as `tsc -p` does. */
function programOf(configPath) {
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) return { errors: [read.error] };
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath));
  if (parsed.errors.length > 0) return { errors: parsed.errors };
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    projectReferences: parsed.projectReferences,
  });
  return { program, errors: [...ts.getPreEmitDiagnostics(program)] };
}

const host = {
  getCanonicalFileName: (name) => name,
  getCurrentDirectory: () => root,
  getNewLine: () => '\n',
};

let failed = false;
const programs = [];
for (const config of ['tsconfig.json', 'console/tsconfig.json']) {
  const started = Date.now();
  const { program, errors } = programOf(path.join(root, config));
  if (program) programs.push(program);
  if (errors.length > 0) {
    failed = true;
    process.stdout.write(ts.formatDiagnostics(errors, host));
    process.stdout.write(`tsc -p ${config}: ${errors.length} error(s)\n`);
  } else {
    process.stdout.write(`tsc -p ${config}: ok (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }
}

const started = Date.now();
const eslint = new ESLint({
  cwd: root,
  overrideConfig: { languageOptions: { parserOptions: { programs } } },
});
const results = await eslint.lintFiles(['.']);
const problems = results.reduce((sum, result) => sum + result.errorCount + result.warningCount, 0);
if (problems > 0) {
  failed = true;
  const formatter = await eslint.loadFormatter('stylish');
  process.stdout.write(await formatter.format(results));
} else {
  process.stdout.write(
    `eslint: ok, ${results.length} files (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
}
process.exit(failed ? 1 : 0);
