import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { deployConsole } from '../../../infra/console-deploy';

const s3 = mockClient(S3Client);
const cloudFormation = mockClient(CloudFormationClient);
const CONFIG = '{"apiUrl":"https://abc.execute-api.us-east-1.amazonaws.com/","auth":{"mode":"cognito"}}';

function builtConsole(): string {
  const dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script src="/assets/index-1.js"></script>');
  writeFileSync(join(dir, 'assets', 'index-1.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'index-1.css'), 'body{}');
  return dir;
}

beforeEach(() => {
  s3.reset();
  cloudFormation.reset();
  s3.on(PutObjectCommand).resolves({});
});

describe('npm run console:deploy', () => {
  it('writes the assets, then index.html, then the config.json from the stack outputs', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'ClinicReminders-x-Stateless' }).resolves({
      Stacks: [
        {
          StackName: 'ClinicReminders-x-Stateless',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'ConsoleBucketName', OutputValue: 'console-bucket' },
            { OutputKey: 'ConsoleConfig', OutputValue: CONFIG },
            { OutputKey: 'ConsoleUrl', OutputValue: 'https://d1.cloudfront.net/' },
          ],
        },
      ],
    });
    const dir = builtConsole();

    const result = await deployConsole({
      s3: new S3Client({ region: 'us-east-1' }),
      cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
      stackName: 'ClinicReminders-x-Stateless',
      distDir: dir,
    });

    expect(result.url).toBe('https://d1.cloudfront.net/');
    const puts = s3.commandCalls(PutObjectCommand).map((call) => {
      const { Body, ...rest } = call.args[0].input;
      return { ...rest, Body: Buffer.isBuffer(Body) ? Body.toString('utf8') : Body };
    });
    const immutable = 'public, max-age=31536000, immutable';
    expect(puts).toEqual([
      {
        Bucket: 'console-bucket',
        Key: 'assets/index-1.css',
        Body: 'body{}',
        ContentType: 'text/css; charset=utf-8',
        CacheControl: immutable,
      },
      {
        Bucket: 'console-bucket',
        Key: 'assets/index-1.js',
        Body: 'console.log(1)',
        ContentType: 'text/javascript; charset=utf-8',
        CacheControl: immutable,
      },
      {
        Bucket: 'console-bucket',
        Key: 'index.html',
        Body: '<!doctype html><script src="/assets/index-1.js"></script>',
        ContentType: 'text/html; charset=utf-8',
        CacheControl: 'no-cache',
      },
      {
        Bucket: 'console-bucket',
        Key: 'config.json',
        Body: CONFIG,
        ContentType: 'application/json',
        CacheControl: 'no-cache',
      },
    ]);
  });

  it('writes nothing when the stack has no console outputs, and says to deploy first', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [] });
    await expect(
      deployConsole({
        s3: new S3Client({ region: 'us-east-1' }),
        cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
        stackName: 'ClinicReminders-x-Stateless',
        distDir: builtConsole(),
      }),
    ).rejects.toThrow('deploy the stacks first');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});
