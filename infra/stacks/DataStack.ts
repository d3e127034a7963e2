import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Bucket, BucketEncryption, ObjectLockRetention } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { TABLE } from '../../shared/server/data/tableDefinition.js';
import type { CofferConfig } from '../config.js';
import { auditJobRoleArn } from '../constructs/auditJobRole.js';
import { DEFAULTS } from '../defaults.js';

export interface DataStackProps extends StackProps {
  readonly config: CofferConfig;
}

/** The five KMS keys, each with one job. */
export interface CofferKeys {
  /** Symmetric, rotated: encryption at rest of the table and the buckets. */
  readonly storageKey: Key;
  /** Symmetric, rotated: KMS-sealed application blobs (private-key blobs, later audit checkpoints). */
  readonly dataKey: Key;
  /** ECC_NIST_P256 SIGN_VERIFY: signs ES256 access tokens. */
  readonly signingKey: Key;
  /** HMAC_256 GENERATE_VERIFY_MAC: login verifiers and fake KDF salts. */
  readonly macKey: Key;
  /** ECC_NIST_P256 SIGN_VERIFY: signs audit checkpoints (docs/audit.md), only through the audit job. */
  readonly auditKey: Key;
}

/**
 * Stateful resources: the single table, the documents bucket and the keys.
 * Everything here is retained on stack deletion; losing the MAC key would lock
 * every user out, losing the data key would make every sealed blob unreadable.
 */
export class DataStack extends Stack {
  readonly keys: CofferKeys;
  readonly table: TableV2;
  readonly documentsBucket: Bucket;
  /** The audit archive (docs/audit.md, "Archive"); undefined when `coffer:auditArchive` is false. */
  readonly auditArchiveBucket: Bucket | undefined;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.keys = {
      storageKey: this.key('StorageKey', config, 'storage', 'Coffer: table and bucket encryption at rest'),
      dataKey: this.key('DataKey', config, 'data', 'Coffer: sealed application blobs'),
      signingKey: this.key('SigningKey', config, 'signing', 'Coffer: ES256 access-token signatures', {
        keySpec: KeySpec.ECC_NIST_P256,
        keyUsage: KeyUsage.SIGN_VERIFY,
      }),
      macKey: this.key('MacKey', config, 'mac', 'Coffer: HMAC-SHA-256 login verifiers', {
        keySpec: KeySpec.HMAC_256,
        keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
      }),
      auditKey: this.key('AuditKey', config, 'audit', 'Coffer: audit checkpoint signatures', {
        keySpec: KeySpec.ECC_NIST_P256,
        keyUsage: KeyUsage.SIGN_VERIFY,
      }),
    };
    // Do not remove: only the audit job may sign checkpoints (docs/audit.md, "Key policy").
    // The account keeps `kms:*` (key administration, and IAM policies granting use), but an
    // explicit Deny wins over every Allow, IAM policy and grant: no other principal, the
    // account root and administrators included, can sign with this key.
    this.keys.auditKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyTheAuditJobSigns',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['kms:Sign'],
        resources: ['*'],
        // The role by its fixed name, not a reference: the role lives in ApiStack.
        conditions: { StringNotEquals: { 'aws:PrincipalArn': auditJobRoleArn(config) } },
      }),
    );

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: TABLE.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      })),
      timeToLiveAttribute: TABLE.ttlAttribute,
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryptionV2.customerManagedKey(this.keys.storageKey),
      removalPolicy: DEFAULTS.dataRemovalPolicy,
    });

    const accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      ...DEFAULTS.buckets.base,
      // S3 server access logging can only deliver to SSE-S3 buckets. cdk-nag's S1 exempts
      // a bucket that receives other buckets' access logs, so this one needs no acknowledgement.
      encryption: BucketEncryption.S3_MANAGED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: DEFAULTS.buckets.accessLogExpiration }],
    });

    this.documentsBucket = new Bucket(this, 'DocumentsBucket', {
      ...DEFAULTS.buckets.base,
      encryption: BucketEncryption.KMS,
      encryptionKey: this.keys.storageKey,
      bucketKeyEnabled: true,
      // No versioning on purpose: objects are client-side encrypted ciphertext, and a
      // document delete (or revoke-and-purge) must be final, not a hidden noncurrent version.
      versioned: false,
      // No `cors` here: the web stack owns this bucket's CORS (infra/constructs/DocumentsBucketCors.ts),
      // because the app's origin is only known once its distribution exists.
      lifecycleRules: [
        {
          id: 'abort-incomplete-multipart-uploads',
          abortIncompleteMultipartUploadAfter: DEFAULTS.buckets.abortIncompleteMultipartUploadAfter,
        },
      ],
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: 'documents/',
    });

    this.auditArchiveBucket = config.auditArchive && this.auditArchive(config, config.auditArchive.retentionDays, accessLogsBucket);

    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'The single DynamoDB table' });
    new CfnOutput(this, 'BucketName', { value: this.documentsBucket.bucketName, description: 'Encrypted document objects' });
  }

  /**
   * Long retention of the audit log (docs/audit.md, "Archive"): versioned, Object Lock in
   * COMPLIANCE mode for `retentionDays` on every object version, which no one (the account root
   * included) can shorten or delete early. Only the audit job role may put objects, and no one
   * may delete or re-time them.
   */
  private auditArchive(config: CofferConfig, retentionDays: number, accessLogsBucket: Bucket): Bucket {
    const bucket = new Bucket(this, 'AuditArchiveBucket', {
      ...DEFAULTS.buckets.base,
      // S3-managed keys on purpose: under a customer-managed key, scheduling that key for
      // deletion would make every locked object unreadable, a way around the retention. The
      // objects hold ids, codes, IPs and user agents, never a key, a token or a plaintext name.
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(retentionDays)),
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: 'audit-archive/',
    });
    const auditJob = auditJobRoleArn(config);
    // Do not remove: the audit job is the archive's only writer (named as a string, as in the
    // audit key's policy: the role is in ApiStack).
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyTheAuditJobWrites',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects('*')],
        conditions: { StringNotEquals: { 'aws:PrincipalArn': auditJob } },
      }),
    );
    // Do not remove: Object Lock keeps every version, but a plain DELETE would still add a delete
    // marker that hides the current one; and governance-mode controls are not for this bucket.
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'NoDeletesNoRetentionChanges',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: AUDIT_ARCHIVE_DENIED_ACTIONS,
        resources: [bucket.arnForObjects('*')],
      }),
    );
    new CfnOutput(this, 'AuditArchiveBucketName', { value: bucket.bucketName, description: 'Audit archive (Object Lock, compliance mode)' });
    return bucket;
  }

  private key(
    id: string,
    config: CofferConfig,
    role: string,
    description: string,
    asymmetric?: { keySpec: KeySpec; keyUsage: KeyUsage },
  ): Key {
    return new Key(this, id, {
      description,
      alias: `alias/coffer/${config.stage}/${role}`,
      // KMS rotates symmetric encryption keys only; signing and HMAC keys cannot rotate.
      enableKeyRotation: asymmetric === undefined,
      ...asymmetric,
      pendingWindow: DEFAULTS.keyDeletionWindow,
      removalPolicy: DEFAULTS.dataRemovalPolicy,
    });
  }
}

/** What no principal may do to the audit archive's objects (its bucket policy). */
export const AUDIT_ARCHIVE_DENIED_ACTIONS = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectRetention',
  's3:BypassGovernanceRetention',
];
