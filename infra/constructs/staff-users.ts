import { type CfnResource, Duration, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnLogDeliveryConfiguration,
  type CfnUserPool,
  type CfnUserPoolClient,
  CfnUserPoolGroup,
  CfnUserPoolRiskConfigurationAttachment,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolEmail,
} from 'aws-cdk-lib/aws-cognito';
import { DataIdentifier, DataProtectionPolicy, LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROLE_DESCRIPTIONS, ROLES, type Role } from '../../shared/domain/roles';
import { CLINICS_CLAIM } from '../../shared/http/auth';
import { acknowledge } from '../compliance';
import type { LogRetentionDays } from '../config/schema';
import { type DataProtection, neverReplace, retainData } from './data-protection';

const CUSTOM_PREFIX = 'custom:';
if (!CLINICS_CLAIM.startsWith(CUSTOM_PREFIX)) {
  throw new Error(`The clinics claim ${CLINICS_CLAIM} must be a Cognito custom attribute (custom:…)`);
}

/**
 * The user pool's custom attribute that lists a staff user's clinics
 * (comma-separated ids). Cognito puts it in the ID token as
 * `custom:clinics`, the claim the staff API reads, so both names come from
 * the one constant in shared/http/auth.ts.
 */
export const CLINICS_ATTRIBUTE = CLINICS_CLAIM.slice(CUSTOM_PREFIX.length);

/** Longest value of the clinics attribute: about a hundred clinic ids (the config allows 100 clinics). */
export const CLINICS_ATTRIBUTE_MAX_LENGTH = 2048;

/**
 * Lifetime of ID and access tokens: a stolen token is useful for 15 minutes
 * at most, and a user whose clinics an administrator changed (or who was
 * disabled) keeps the old access for 15 minutes at most. Tools refresh
 * silently with the refresh token.
 */
export const TOKEN_VALIDITY = Duration.minutes(15);

/** Lifetime of a refresh token: one working shift, after which the user signs in again with MFA. */
export const REFRESH_TOKEN_VALIDITY = Duration.hours(12);

export interface StaffUsersProps {
  /** The deployment's name, for the pool's name. */
  readonly deploymentName: string;
  /** Whether the pool's deletion protection is on (off only for the first create). */
  readonly protection: DataProtection;
  /** How long sign-in events are kept (the config's auditLogRetentionDays). */
  readonly signInRetentionDays: LogRetentionDays;
}

/**
 * Email templates of the user pool that Cognito accepts only when it sends
 * through the account's own SES identity (`EmailSendingAccount: DEVELOPER`):
 * the CloudFormation schema and the API reference say so for each of them.
 * The pool sends with Cognito's own sender, so none of them may be set.
 * CDK fills in the verification ones by default, hence the deletion overrides.
 */
export const DEVELOPER_ONLY_EMAIL_PROPERTIES = [
  'EmailVerificationMessage',
  'EmailVerificationSubject',
  'VerificationMessageTemplate.EmailMessage',
  'VerificationMessageTemplate.EmailSubject',
  'VerificationMessageTemplate.EmailMessageByLink',
  'VerificationMessageTemplate.EmailSubjectByLink',
  'AdminCreateUserConfig.InviteMessageTemplate.EmailMessage',
  'AdminCreateUserConfig.InviteMessageTemplate.EmailSubject',
] as const;

/**
 * The staff user pool and the one app client that staff tools sign in
 * with. Administrators create every user (no self sign-up) and set the
 * clinics attribute; users sign in with their email address, a password of
 * at least 14 characters and a TOTP authenticator app (required), over SRP
 * only, so the password never leaves the client.
 *
 * Users cannot change their own clinics: the attribute is readable through
 * the client (so it reaches the ID token) but not writable.
 */
export class StaffUsers extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  /** `https://cognito-idp.<region>.amazonaws.com/<user pool id>`: the `iss` of every token of the pool. */
  readonly issuer: string;
  /** Every sign-in, with threat protection's risk decision (Cognito's userAuthEvents). */
  readonly signInEvents: LogGroup;
  /**
   * One group per role (shared/domain/roles.ts), named as the role: Cognito
   * lists a user's groups in the ID token's `cognito:groups`, which the staff
   * API reads. An administrator adds each user to one
   * (`aws cognito-idp admin-add-user-to-group`, docs/deploy.md).
   */
  readonly groups: Readonly<Record<Role, CfnUserPoolGroup>>;

  constructor(scope: Construct, id: string, props: StaffUsersProps) {
    super(scope, id);

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `clinic-reminders-${props.deploymentName}-staff`,
      selfSignUpEnabled: false,
      signInAliases: { email: true, username: false, phone: false, preferredUsername: false },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        [CLINICS_ATTRIBUTE]: new StringAttribute({ maxLen: CLINICS_ATTRIBUTE_MAX_LENGTH, mutable: true }),
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false, email: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Plus: threat protection that blocks sign-ins with compromised
      // credentials and acts on risky ones (cdk-nag AwsSolutions-COG8).
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      // Invitations and recovery codes for a handful of staff: Cognito's own
      // sender (50 mails a day) is enough and needs no SES sending
      // authorization. It sends Cognito's standard wording: custom email
      // templates require sending through SES (DEVELOPER_ONLY_EMAIL_PROPERTIES).
      email: UserPoolEmail.withCognito(),
      // Staff accounts and their clinics are the API's access control: kept
      // when the stack goes, and not deletable by accident once created.
      deletionProtection: props.protection.locked,
    });
    const pool = this.userPool.node.defaultChild as CfnUserPool;
    for (const property of DEVELOPER_ONLY_EMAIL_PROPERTIES) pool.addPropertyDeletionOverride(property);
    retainData(pool);
    neverReplace(
      pool,
      'a replaced user pool is a new, empty one: every staff account, its MFA and its clinics would be gone',
    );

    // What full-function threat protection does, spelled out rather than
    // left to the service's defaults: a password known from a breach is
    // refused at sign-in and password change; a high-risk sign-in is
    // blocked (an administrator marks it valid to unblock the user). MFA is
    // required anyway, so lower risks need no extra step. No notification
    // mails: those would need an SES identity authorized for Cognito.
    new CfnUserPoolRiskConfigurationAttachment(this, 'ThreatProtection', {
      userPoolId: this.userPool.userPoolId,
      clientId: 'ALL',
      compromisedCredentialsRiskConfiguration: {
        actions: { eventAction: 'BLOCK' },
        eventFilter: ['SIGN_IN', 'PASSWORD_CHANGE', 'SIGN_UP'],
      },
      accountTakeoverRiskConfiguration: {
        actions: {
          highAction: { eventAction: 'BLOCK', notify: false },
          mediumAction: { eventAction: 'MFA_REQUIRED', notify: false },
          lowAction: { eventAction: 'NO_ACTION', notify: false },
        },
      },
    });

    this.client = this.userPool.addClient('StaffApiClient', {
      userPoolClientName: 'staff-api',
      // Secure Remote Password only: no plain-password flow, no admin flow.
      authFlows: { userSrp: true },
      generateSecret: false,
      // Staff tools sign in through the API, not Cognito's hosted pages.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: TOKEN_VALIDITY,
      accessTokenValidity: TOKEN_VALIDITY,
      refreshTokenValidity: REFRESH_TOKEN_VALIDITY,
      // Cognito puts in the ID token only what the client may read: the clinics must be here.
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true, locale: true })
        .withCustomAttributes(CLINICS_ATTRIBUTE),
      // Never the clinics (a user could grant themselves any clinic) nor the
      // email (the sign-in name, which an administrator changes). Not left
      // out either: without a list, Cognito lets users write every standard attribute.
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true, locale: true }),
    });

    neverReplace(
      this.client.node.defaultChild as CfnUserPoolClient,
      'staff tools are configured with the app client id; a new client has a new id, and the API accepts only its tokens',
    );

    // Precedence orders a user's groups in the token (lowest first); both
    // groups are read, the admin's is listed first.
    const groups = {} as Record<Role, CfnUserPoolGroup>;
    for (const role of ROLES) {
      const group = new CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description: ROLE_DESCRIPTIONS[role],
        precedence: role === 'clinic-admin' ? 1 : 2,
      });
      retainData(group);
      neverReplace(
        group,
        `a replaced ${role} group is a new, empty one: every user in it would lose the role until added again`,
      );
      groups[role] = group;
    }
    this.groups = groups;

    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;

    // Who signed in, from where, and what threat protection decided: kept as
    // long as the API's access logs. Cognito refuses a KMS-encrypted log group
    // as its destination, so this one has CloudWatch Logs' own encryption at
    // rest; it holds staff sign-in data (user, IP, risk), no patient data,
    // and the addresses in it are masked for anyone without logs:Unmask.
    this.signInEvents = new LogGroup(this, 'SignInEvents', {
      // Under /aws/vendedlogs/ as Cognito advises, so its delivery needs no
      // log-group resource policy of its own.
      logGroupName: `/aws/vendedlogs/clinic-reminders/${props.deploymentName}/staff-sign-ins`,
      retention: props.signInRetentionDays,
      dataProtectionPolicy: new DataProtectionPolicy({
        name: 'staff-sign-ins',
        description: 'Masks the email and IP addresses of sign-in events for readers without logs:Unmask',
        identifiers: [DataIdentifier.EMAILADDRESS, DataIdentifier.IPADDRESS],
      }),
    });
    retainData(this.signInEvents.node.defaultChild as CfnResource);
    acknowledge(
      this.signInEvents,
      'HIPAA.Security-CloudWatchLogGroupEncrypted',
      'Cognito delivers user activity logs only to log groups without a KMS key (AWS::Cognito::LogDeliveryConfiguration); ' +
        'CloudWatch Logs still encrypts them at rest. They hold staff sign-in events, no patient data, and mask addresses.',
    );
    new CfnLogDeliveryConfiguration(this, 'SignInEventExport', {
      userPoolId: this.userPool.userPoolId,
      logConfigurations: [
        {
          eventSource: 'userAuthEvents',
          logLevel: 'INFO',
          cloudWatchLogsConfiguration: { logGroupArn: this.signInEvents.logGroupArn },
        },
      ],
    });
  }
}
