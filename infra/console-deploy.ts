/**
 * `npm run console:deploy -- -c config=<name>`: after `cdk deploy`, writes
 * the built console (console/dist, built first by the npm script) and its
 * config.json into the console bucket, both read from the stateless stack's
 * outputs. Hashed assets are cached for a year; index.html and config.json
 * are revalidated on every load, so a deploy shows at the next reload
 * without a CloudFront invalidation. Assets of earlier builds stay (a page
 * opened before the deploy still loads its own); the bucket's lifecycle
 * rule removes old versions only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CONSOLE_DIST } from '../local/console-files';
import { loadDeploymentConfig } from './config/load';
import { CONSOLE_OUTPUTS } from './constructs/console-site';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

export interface DeployConsoleInput {
  s3: Pick<S3Client, 'send'>;
  cloudFormation: Pick<CloudFormationClient, 'send'>;
  stackName: string;
  distDir?: string;
}

/** Writes every built file, then config.json; returns the keys written and the console's URL. */
export async function deployConsole(input: DeployConsoleInput): Promise<{ url: string; keys: string[] }> {
  const distDir = input.distDir ?? CONSOLE_DIST;
  const { Stacks } = await input.cloudFormation.send(
    new DescribeStacksCommand({ StackName: input.stackName }),
  );
  const outputs = new Map(
    (Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
  );
  const bucket = outputs.get(CONSOLE_OUTPUTS.bucket);
  const config = outputs.get(CONSOLE_OUTPUTS.config);
  const url = outputs.get(CONSOLE_OUTPUTS.url);
  if (!bucket || !config || !url) {
    throw new Error(
      `${input.stackName} has no console outputs: deploy the stacks first (npx cdk deploy --all)`,
    );
  }
  const files = filesUnder(distDir)
    .sort()
    .filter((file) => !file.endsWith('config.json'));
  if (!files.some((file) => file.endsWith('index.html'))) {
    throw new Error(`${distDir} holds no index.html: run npm run console:build`);
  }
  // Assets first, the page that names them last, so no reader gets a page whose assets are missing.
  const ordered = [...files.filter((file) => !file.endsWith('index.html')), join(distDir, 'index.html')];
  const keys: string[] = [];
  for (const file of ordered) {
    const key = relative(distDir, file).split('\\').join('/');
    await input.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: readFileSync(file),
        ContentType: TYPES[extname(file)] ?? 'application/octet-stream',
        CacheControl: key.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      }),
    );
    keys.push(key);
  }
  await input.s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'config.json',
      Body: config,
      ContentType: TYPES['.json'],
      CacheControl: 'no-cache',
    }),
  );
  keys.push('config.json');
  return { url, keys };
}

async function main() {
  const args = process.argv.slice(2).join(' ');
  const name = /(?:^|\s)-c\s+config=(\S+)/.exec(args)?.[1];
  if (!name) {
    console.error('usage: npm run console:deploy -- -c config=<name> (a file in infra/config/)');
    process.exit(2);
  }
  const config = loadDeploymentConfig(name);
  const region = config.region ?? process.env.AWS_REGION;
  const clients = region ? { region } : {};
  const { url, keys } = await deployConsole({
    s3: new S3Client(clients),
    cloudFormation: new CloudFormationClient(clients),
    stackName: `ClinicReminders-${config.name}-Stateless`,
  });
  console.log(`wrote ${keys.length} files; the console is at ${url}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
