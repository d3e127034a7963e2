import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { AwsCustomResource, AwsCustomResourcePolicy, type AwsSdkCall, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { DEFAULTS } from '../defaults.js';

export interface DocumentsBucketCorsProps {
  readonly bucket: IBucket;
  /** Exact origins (tokens allowed, such as the distribution's domain): the web app's and `coffer:corsOrigins`. */
  readonly origins: readonly string[];
  /** Origins still allowed once this construct is deleted (`coffer:corsOrigins`). */
  readonly originsAfterDelete: readonly string[];
}

/**
 * The documents bucket's CORS rules, set from the web stack. Browsers upload and download through
 * presigned URLs on the bucket's own host, so the bucket must allow the app's origin; but on the
 * `*.cloudfront.net` name that origin exists only once the distribution does, which is after the
 * data stack (the distribution needs the API, the API needs the data stack). A property of the
 * bucket would be a dependency cycle, so this custom resource owns the bucket's CORS instead, and
 * the data stack declares none (docs/deploy.md, "The web app"). PutBucketCors replaces the whole
 * configuration: there is one owner.
 */
export class DocumentsBucketCors extends Construct {
  readonly resource: AwsCustomResource;

  constructor(scope: Construct, id: string, props: DocumentsBucketCorsProps) {
    super(scope, id);
    const { bucket } = props;
    const put = (origins: readonly string[]): AwsSdkCall =>
      origins.length === 0
        ? { service: 'S3', action: 'DeleteBucketCors', parameters: { Bucket: bucket.bucketName }, physicalResourceId: PhysicalResourceId.of(bucket.bucketName) }
        : {
            service: 'S3',
            action: 'PutBucketCors',
            parameters: { Bucket: bucket.bucketName, CORSConfiguration: { CORSRules: documentsCorsRules(origins) } },
            physicalResourceId: PhysicalResourceId.of(bucket.bucketName),
          };
    this.resource = new AwsCustomResource(this, 'Resource', {
      resourceType: 'Custom::DocumentsBucketCors',
      onCreate: put(props.origins),
      onUpdate: put(props.origins),
      onDelete: put(props.originsAfterDelete),
      // DeleteBucketCors is authorised by s3:PutBucketCORS too. This one bucket, nothing else.
      policy: AwsCustomResourcePolicy.fromStatements([new PolicyStatement({ actions: ['s3:PutBucketCORS'], resources: [bucket.bucketArn] })]),
      installLatestAwsSdk: false,
    });
  }
}

/** The S3 API's shape of a CORS rule. */
export interface S3CorsRule {
  AllowedOrigins: string[];
  AllowedMethods: string[];
  AllowedHeaders: string[];
  ExposeHeaders: string[];
  MaxAgeSeconds: number;
}

/** Browser uploads and downloads through presigned URLs, from the given origins only. */
export function documentsCorsRules(origins: readonly string[]): S3CorsRule[] {
  return [
    {
      AllowedOrigins: [...origins],
      AllowedMethods: ['PUT', 'GET', 'HEAD'],
      AllowedHeaders: ['content-type'],
      // Multipart uploads read each part's ETag to complete the upload.
      ExposeHeaders: ['ETag'],
      MaxAgeSeconds: DEFAULTS.buckets.corsMaxAgeSeconds,
    },
  ];
}
