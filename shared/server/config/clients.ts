import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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

export function documentClient(endpoints: LocalEndpoints = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient(
    endpoints.dynamodb
      ? { endpoint: endpoints.dynamodb, region: endpoints.region ?? 'local', credentials: LOCAL_CREDENTIALS, maxAttempts: 3 }
      : {},
  );
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function s3Client(endpoints: LocalEndpoints = {}): S3Client {
  return new S3Client({
    ...S3ObjectStore.clientConfig,
    ...(endpoints.s3
      ? { endpoint: endpoints.s3, region: endpoints.region ?? 'us-east-1', forcePathStyle: true, credentials: LOCAL_CREDENTIALS }
      : {}),
  });
}
