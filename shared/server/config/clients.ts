import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3ObjectStore } from '../adapters/aws/S3ObjectStore.js';

/** Endpoints for the local stack; absent on AWS. */
export interface LocalEndpoints {
  dynamodb?: string;
  s3?: string;
  region?: string;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * On AWS every call the server makes gives up rather than wait on a stalled service: API Gateway
 * cuts a request at 30 s, and a Lambda held until then answers nothing useful. A connection must
 * open within 1 s and an answer start within 3 s; with the SDK's 3 attempts a DynamoDB or KMS
 * call fails within about 10 s, and the client gets 503 SERVICE_UNAVAILABLE (errorResponse).
 * The local stack keeps the SDK's defaults: DynamoDB Local on a busy laptop may take longer.
 */
export const AWS_TIMEOUTS = {
  connectionTimeout: 1_000,
  requestTimeout: 3_000,
  // Without it this SDK only warns when requestTimeout passes, and keeps waiting.
  throwOnRequestTimeout: true,
} as const;

/** `timeouts`: AWS_TIMEOUTS on AWS (no local endpoint), none locally unless given. */
export function documentClient(endpoints: LocalEndpoints = {}, timeouts: typeof AWS_TIMEOUTS | undefined = endpoints.dynamodb ? undefined : AWS_TIMEOUTS): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(timeouts && { requestHandler: timeouts }),
    ...(endpoints.dynamodb ? { endpoint: endpoints.dynamodb, region: endpoints.region ?? 'local', credentials: LOCAL_CREDENTIALS, maxAttempts: 3 } : {}),
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function s3Client(endpoints: LocalEndpoints = {}): S3Client {
  return new S3Client({
    ...(!endpoints.s3 && { requestHandler: AWS_TIMEOUTS }),
    ...S3ObjectStore.clientConfig,
    ...(endpoints.s3
      ? { endpoint: endpoints.s3, region: endpoints.region ?? 'us-east-1', forcePathStyle: true, credentials: LOCAL_CREDENTIALS }
      : {}),
  });
}

/** KMS on AWS (the local stack uses the keyring file instead), with the same timeouts. */
export function kmsClient(): KMSClient {
  return new KMSClient({ requestHandler: AWS_TIMEOUTS });
}
