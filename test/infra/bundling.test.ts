import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReminderFunction } from '../../infra/constructs/reminder-function';
import { resourcesOf, SYNTH_TIMEOUT, type Synthesized, synthesize } from './support';

/** The one test file that runs esbuild: the others skip bundling to stay fast. */
let synth: Synthesized;
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'clinic-cdk-out-'));
  synth = synthesize('example', { bundle: true, outdir });
}, SYNTH_TIMEOUT * 2);

function assetDir(fn: ReminderFunction): string {
  const logicalId = synth.stateless.getLogicalId(fn.fn.node.defaultChild as CfnElement);
  const code = resourcesOf(synth.statelessTemplate, 'AWS::Lambda::Function')[logicalId]?.Properties.Code as {
    S3Key: string;
  };
  return join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
}

const FUNCTIONS = [
  'planMessages',
  'replanFailedChanges',
  'dispatchDue',
  'sendMessage',
  'seedClinics',
  'staffApi',
] as const;

describe('function bundles', () => {
  it.each(FUNCTIONS)('bundles %s as minified ESM with a linked source map', (name) => {
    // Act
    const dir = assetDir(synth.stateless[name] as ReminderFunction);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');

    // Assess
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    expect(code.startsWith("import { createRequire as __createRequire } from 'node:module';")).toBe(true);
    expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*as handler[^}]*\}|export\s*\{\s*handler\s*\}/);
    // The SDK is bundled, not left for the runtime to supply.
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
    // Minified: few, very long lines.
    expect(code.split('\n').length).toBeLessThan(code.length / 500);
    expect(statSync(join(dir, 'index.mjs')).size).toBeLessThan(3 * 1024 * 1024);
  });

  it.each(FUNCTIONS)('loads the %s bundle in plain Node without reading its environment', (name) => {
    // Prepare
    const url = pathToFileURL(join(assetDir(synth.stateless[name] as ReminderFunction), 'index.mjs')).href;

    // Act: importing runs the module's top level, as a Lambda cold start does (with no env set).
    const output = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler);`,
      ],
      { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' },
    );

    // Assess
    expect(output.trim()).toBe('function');
  });
});
