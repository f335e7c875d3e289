/**
 * The staff console in AWS: its built files (console/dist) in a private S3
 * bucket that only CloudFront reads (origin access control), served over
 * HTTPS only with security headers and a strict Content-Security-Policy,
 * CloudFront access logs kept in a bucket of their own; a Cognito app
 * client for the console (authorization code with PKCE, no secret, managed
 * login on the pool's own domain). The files and the `config.json` that
 * gives the app the API's URL and the pool's ids are written into the bucket
 * by `npm run console:deploy` after `cdk deploy` (infra/console-deploy.ts),
 * from this stack's outputs: no custom-resource function with write access
 * to the bucket stays in the account.
 */
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  CfnManagedLoginBranding,
  type IUserPool,
  ManagedLoginVersion,
  OAuthScope,
  UserPoolClient,
  UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { consoleCsp } from '../../local/console-files';
import { acknowledge } from '../compliance';

/** The stateless stack's outputs that `npm run console:deploy` reads. */
export const CONSOLE_OUTPUTS = {
  url: 'ConsoleUrl',
  bucket: 'ConsoleBucketName',
  config: 'ConsoleConfig',
} as const;

export interface ConsoleSiteProps {
  readonly deploymentName: string;
  readonly userPool: IUserPool;
}

/** How long the console's ID tokens last: a working day at the desk. */
const TOKEN_VALIDITY = Duration.hours(8);

export class ConsoleSite extends Construct {
  readonly bucket: Bucket;
  readonly logs: Bucket;
  readonly distribution: Distribution;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  /** `https://<distribution domain>`: where staff open the console. */
  readonly url: string;
  /** The managed login's base URL. */
  readonly loginUrl: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const region = Stack.of(this).region;

    // CloudFront standard logs are written with object ACLs, so this bucket keeps them enabled.
    this.logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'bucket/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      // Built files only, written again by every deploy: nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.domain = new UserPoolDomain(this, 'LoginDomain', {
      userPool: props.userPool,
      cognitoDomain: { domainPrefix: `clinic-reminders-${props.deploymentName}-${Aws.ACCOUNT_ID}` },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    this.loginUrl = `https://${this.domain.domainName}.auth.${region}.amazoncognito.com`;

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'The console: strict CSP (own origin, the staff API, the managed login), HSTS, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          // The API by its service domain (naming the API itself would make a cycle: its CORS
          // names this distribution), and the managed login's token endpoint.
          contentSecurityPolicy: consoleCsp([`https://*.execute-api.${region}.amazonaws.com`, this.loginUrl]),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `clinic-reminders ${props.deploymentName} staff console`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'cloudfront/',
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    // In this stack (not the pool's): its callback URL is this distribution's.
    this.client = new UserPoolClient(this, 'ConsoleClient', {
      userPool: props.userPool,
      userPoolClientName: 'staff-console',
      // A browser app: no secret; the authorization code flow, which Cognito runs with PKCE (S256).
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
        callbackUrls: [`${this.url}/`],
        logoutUrls: [`${this.url}/`],
      },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: TOKEN_VALIDITY,
      accessTokenValidity: TOKEN_VALIDITY,
      refreshTokenValidity: Duration.days(1),
    });
    new CfnManagedLoginBranding(this, 'LoginBranding', {
      userPoolId: props.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    this.acknowledgeFindings();
  }

  /** The cdk-nag findings this construct accepts, each with its reason. */
  private acknowledgeFindings(): void {
    for (const bucket of [this.bucket, this.logs]) {
      acknowledge(
        bucket,
        'HIPAA.Security-S3BucketReplicationEnabled',
        'The console bucket holds built files that every deploy writes again from the repository, and the log ' +
          'bucket CloudFront access logs; neither holds patient data, and losing a region loses the console with it.',
      );
      acknowledge(
        bucket,
        'HIPAA.Security-S3DefaultEncryptionKMS',
        'Encrypted with S3-managed keys: CloudFront reads the public app files through origin access control ' +
          'and writes its standard logs, neither of which works with a customer KMS key without more grants; no PHI is stored.',
      );
    }
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'Staff sign in from wherever their clinic is; the app is static files, and every API call needs a staff ID token.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      'Static files only (no data, no forms posting to this origin); the API has its own throttling and requires ' +
        'tokens. A WAF web ACL can be attached to the distribution by a deployment that wants one.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate fixes the minimum TLS version; a deployment with its own domain ' +
        'and ACM certificate sets TLSv1.2_2021. The response headers force HTTPS (HSTS) and viewers are HTTPS only.',
    );
  }
}
