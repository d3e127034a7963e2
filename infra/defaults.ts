import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PriceClass, SecurityPolicyProtocol } from 'aws-cdk-lib/aws-cloudfront';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, type BucketProps, ObjectOwnership } from 'aws-cdk-lib/aws-s3';

/**
 * Secure defaults, in one place. Stacks and constructs take these rather than
 * repeating literals, so a reviewer reads the security posture here.
 */
export const DEFAULTS = {
  /** Stored data and every key that protects it outlive the stack. */
  dataRemovalPolicy: RemovalPolicy.RETAIN,

  /** Keys scheduled for deletion can be cancelled for this long. */
  keyDeletionWindow: Duration.days(30),

  function: {
    /** The newest Node runtime CDK knows, which is what cdk-nag's L1 requires. */
    runtime: Runtime.NODEJS_24_X,
    esbuildTarget: 'node24',
    architecture: Architecture.ARM_64,
    memorySize: 512,
    /** HTTP API gives up on an integration after 30 s; fail well before that. */
    timeout: Duration.seconds(10),
    logRetention: RetentionDays.ONE_MONTH,
  },

  cleanup: {
    /** How often the cleanup job runs (docs/links.md, "Cleanup"). */
    every: Duration.hours(1),
    /**
     * A run stops taking new pages a minute before this and leaves the rest to the next one.
     * Shorter than the job's claim on an entry (RETRY_AFTER_SECONDS, 15 minutes), so a later
     * run never races a live one.
     */
    timeout: Duration.minutes(5),
  },

  audit: {
    /** How often the audit job signs the grown chain heads (docs/audit.md, "Signed checkpoints"). */
    every: Duration.hours(1),
    /** It verifies every chain before it signs. */
    timeout: Duration.minutes(5),
  },

  api: {
    /** Access logs are the audit trail of who called what: keep them longer. */
    accessLogRetention: RetentionDays.ONE_YEAR,
    throttle: { rateLimit: 50, burstLimit: 100 },
    /** How long browsers may cache a CORS preflight. */
    corsMaxAge: Duration.hours(1),
  },

  buckets: {
    /** Shared by every bucket: private, TLS only, no ACLs. */
    base: {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    } satisfies BucketProps,
    /** Parts of an abandoned multipart upload are billed until aborted. */
    abortIncompleteMultipartUploadAfter: Duration.days(1),
    accessLogExpiration: Duration.days(365),
    /** How long browsers may cache an S3 CORS preflight, in seconds. */
    corsMaxAgeSeconds: 3600,
  },

  web: {
    /** North America and Europe edges only: the cheapest class; viewers elsewhere are served from those. */
    priceClass: PriceClass.PRICE_CLASS_100,
    /** TLS 1.2 or newer from viewers on a custom domain (the `*.cloudfront.net` name cannot be restricted). */
    minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
    /** CloudFront's own access logs (not the API's): long enough to investigate, then gone. */
    accessLogExpiration: Duration.days(365),
    /** The uploader of the app's files (BucketDeployment): the whole build is a few hundred KB. */
    deploymentMemoryMiB: 512,
  },

  /** Every object the API creates lives under this prefix (shared/server/data/keys.ts `objectKey`). */
  documentObjectPrefix: 'docs/',
  /** Every object the audit job archives lives under this prefix (shared/server/data/keys.ts `auditArchiveObject`). */
  auditArchiveObjectPrefix: 'audit/',
} as const;
