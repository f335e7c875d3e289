import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { consoleCsp } from '../../local/console-files';
import { resourcesOf, SYNTH_TIMEOUT, type Synthesized, sharedSynthesis } from './support';

let synth: Synthesized;
let stack: Template;

beforeAll(() => {
  synth = sharedSynthesis('example');
  stack = synth.statelessTemplate;
}, SYNTH_TIMEOUT);

function idOf(element: { node: { defaultChild?: unknown } }): string {
  return synth.stateless.getLogicalId(element.node.defaultChild as never);
}

describe('the staff console in AWS', () => {
  it('keeps the files in a private, TLS-only bucket that only this distribution reads (origin access control)', () => {
    const files = idOf(synth.stateless.consoleSite.bucket);
    const bucket = resourcesOf(stack, 'AWS::S3::Bucket')[files];
    expect(bucket?.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket?.Properties.LoggingConfiguration).toMatchObject({ LogFilePrefix: 'bucket/' });
    const policies = Object.values(resourcesOf(stack, 'AWS::S3::BucketPolicy')).filter(
      (policy) => JSON.stringify(policy.Properties.Bucket) === JSON.stringify({ Ref: files }),
    );
    expect(policies).toHaveLength(1);
    const statements = (
      (policies[0]?.Properties.PolicyDocument ?? {}) as { Statement: Record<string, unknown>[] }
    ).Statement;
    // Only TLS requests, and reads only by CloudFront for this distribution.
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const reads = statements.filter(
      (statement) => statement.Effect === 'Allow' && statement.Action === 's3:GetObject',
    );
    expect(reads).toHaveLength(1);
    expect(reads[0]?.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(JSON.stringify(reads[0]?.Condition)).toContain(idOf(synth.stateless.consoleSite.distribution));
    stack.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
      }),
    });
  });

  it('serves over HTTPS only, index.html at the root, with access logs', () => {
    const distribution = resourcesOf(stack, 'AWS::CloudFront::Distribution')[
      idOf(synth.stateless.consoleSite.distribution)
    ];
    const config = distribution?.Properties.DistributionConfig as Record<string, Record<string, unknown>>;
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior?.ViewerProtocolPolicy).toBe('https-only');
    expect(config.DefaultCacheBehavior?.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(config.Logging).toMatchObject({
      Bucket: { 'Fn::GetAtt': [idOf(synth.stateless.consoleSite.logs), 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
    });
    expect(
      resourcesOf(stack, 'AWS::S3::Bucket')[idOf(synth.stateless.consoleSite.logs)]?.DeletionPolicy,
    ).toBe('Retain');
  });

  it('sends security headers with a strict Content-Security-Policy: this origin, the API service, the login', () => {
    const policies = Object.values(resourcesOf(stack, 'AWS::CloudFront::ResponseHeadersPolicy'));
    expect(policies).toHaveLength(1);
    const headers = (
      (policies[0]?.Properties.ResponseHeadersPolicyConfig ?? {}) as Record<string, Record<string, unknown>>
    ).SecurityHeadersConfig as Record<string, Record<string, unknown>>;
    const csp = JSON.stringify(headers.ContentSecurityPolicy?.ContentSecurityPolicy);
    for (const directive of consoleCsp()
      .split('; ')
      .filter((part) => !part.startsWith('connect-src'))) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("connect-src 'self' https://*.execute-api.us-east-1.amazonaws.com https://");
    expect(headers.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 730 * 86400,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
  });

  it('signs in with the managed login: a public app client, authorization code (PKCE), back to the console', () => {
    const client = resourcesOf(stack, 'AWS::Cognito::UserPoolClient')[
      idOf(synth.stateless.consoleSite.client)
    ];
    expect(client?.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
    });
    expect(JSON.stringify(client?.Properties.CallbackURLs)).toContain(
      idOf(synth.stateless.consoleSite.distribution),
    );
    stack.hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
    stack.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', { UseCognitoProvidedValues: true });
  });

  it('lets the API accept the console’s ID tokens and its origin (CORS, no credentials)', () => {
    const authorizer = Object.values(resourcesOf(stack, 'AWS::ApiGatewayV2::Authorizer'))[0];
    const audience = ((authorizer?.Properties.JwtConfiguration ?? {}) as { Audience: unknown[] }).Audience;
    expect(audience).toHaveLength(2);
    expect(JSON.stringify(audience)).toContain(idOf(synth.stateless.consoleSite.client));
    const api = Object.values(resourcesOf(stack, 'AWS::ApiGatewayV2::Api'))[0];
    expect(api?.Properties.CorsConfiguration).toMatchObject({
      AllowHeaders: ['authorization', 'content-type', 'if-match'],
      ExposeHeaders: ['etag'],
      AllowCredentials: false,
    });
    expect(JSON.stringify(api?.Properties.CorsConfiguration)).toContain(
      idOf(synth.stateless.consoleSite.distribution),
    );
  });

  it('gives npm run console:deploy the bucket and the config.json: the API, the login, the app client, the pool', () => {
    const outputs = stack.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ConsoleBucketName?.Value).toEqual({ Ref: idOf(synth.stateless.consoleSite.bucket) });
    const config = JSON.stringify(outputs.ConsoleConfig?.Value);
    for (const part of [
      '\\"apiUrl\\":',
      '\\"mode\\":\\"cognito\\"',
      idOf(synth.stateless.consoleSite.client),
      idOf(synth.stateless.consoleSite.domain),
      idOf(synth.stateless.staffHttpApi.api),
    ]) {
      expect(config).toContain(part);
    }
    expect(JSON.stringify(outputs.ConsoleUrl?.Value)).toContain(
      idOf(synth.stateless.consoleSite.distribution),
    );
    // No custom resource writes the bucket: the deploy script does, from these outputs.
    expect(Object.keys(resourcesOf(stack, 'Custom::CDKBucketDeployment'))).toEqual([]);
  });
});
