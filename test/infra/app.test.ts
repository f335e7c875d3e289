import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const outdir = mkdtempSync(join(tmpdir(), 'cdk-app-'));

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Runs infra/app.ts the way the CDK CLI does: context in CDK_CONTEXT_JSON, output to CDK_OUTDIR. */
function runApp(context: Record<string, unknown>) {
  const result = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), ['infra/app.ts'], {
    cwd: ROOT,
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr };
}

describe('the CDK app entry (infra/app.ts)', () => {
  it('exits with the fix when -c config is missing, and says that cdk bootstrap needs it too', () => {
    // Act
    const { status, stderr } = runApp({});

    // Assess
    expect(status).toBe(1);
    expect(stderr).toContain('config: is required: run with -c config=<name> (cdk bootstrap too)');
    expect(stderr).toContain('example');
  });

  it('refuses a firstDeploy value other than true or false before building anything', () => {
    // Act
    const { status, stderr } = runApp({ config: 'example', firstDeploy: 'yes' });

    // Assess
    expect(status).toBe(1);
    expect(stderr).toContain('firstDeploy: must be true or false, not "yes"');
  });
});
