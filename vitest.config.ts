import { defineConfig } from 'vitest/config';

// Four projects so each kind of test gets only what it needs: unit tests run
// pure code, integration tests share one DynamoDB Local started by globalSetup,
// infra tests synthesise the CDK app, e2e tests start local mode as a child.
export default defineConfig({
  test: {
    // The SDK warns that releases after January 2027 need Node 22; this
    // project pins a release that runs on Node 20 (see README).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // Vitest's default is one worker fewer than the cores: on the 2-core CI
    // machine that is one worker, and the suite waits on DynamoDB Local, child
    // processes and Chromium most of the time. Figures: docs/benchmarks.md,
    // "Test suite time".
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: 'coverage/test-results.json' }]],
    coverage: {
      provider: 'v8',
      include: ['shared/domain/**/*.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 95 },
    },
    projects: [
      {
        extends: true,
        // Property tests run thousands of cases; on a busy shared machine they need more than 5 s.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/dynamodb-global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 120_000,
          // Files read the synthesized app and change nothing global, so they run without
          // isolation and share one synthesis per worker (sharedSynthesis in test/infra/support.ts).
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 120_000 },
      },
    ],
  },
});
