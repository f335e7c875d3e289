/**
 * How every function is bundled, defined once: ReminderFunction hands these
 * to CDK's NodejsFunction, and `npm run size` (bench/size.ts) builds with the
 * same esbuild options, so the figures it prints are those of what ships.
 */
import type { BuildOptions } from 'esbuild';

/** Some CommonJS dependencies call require() on Node built-ins; ESM output needs one. */
export const REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** esbuild target of the Lambda runtime (FUNCTION_RUNTIME). */
export const BUNDLE_TARGET = 'node24';

/** Module fields in the order esbuild reads them: ESM first, so unused exports shake out. */
export const MAIN_FIELDS = ['module', 'main'];

/**
 * The esbuild options NodejsFunction uses with the bundling props of
 * ReminderFunction (minified ESM for node24, a linked source map without
 * sources, the SDK bundled, the require banner).
 */
export const ESBUILD_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: BUNDLE_TARGET,
  mainFields: MAIN_FIELDS,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  banner: { js: REQUIRE_BANNER },
  tsconfig: 'tsconfig.json',
};
