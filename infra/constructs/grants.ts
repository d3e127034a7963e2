import { Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { TABLE } from '../../shared/server/data/tableDefinition.js';
import { DEFAULTS } from '../defaults.js';
import { acknowledgeWildcardResource } from './acknowledge.js';
import type { CofferFunction } from './CofferFunction.js';

/**
 * Typed grants: each helper adds one narrow, explicit IAM statement set to the
 * function's role *and* the environment variable that tells the code which
 * resource it may use, so the two can never drift apart.
 *
 * Deliberately no `table.grantReadWriteData()` / `key.grantEncryptDecrypt()`:
 * those add `kms:ReEncrypt*`, `kms:GenerateDataKey*`, `dynamodb:Scan` and
 * `index/*` wildcards that this application does not need.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  bucketName: 'BUCKET_NAME',
  signingKeyId: 'SIGNING_KEY_ID',
  macKeyId: 'MAC_KEY_ID',
  dataKeyId: 'DATA_KEY_ID',
  auditKeyId: 'AUDIT_KEY_ID',
  auditArchiveBucket: 'AUDIT_ARCHIVE_BUCKET',
} as const;

/** Item reads and writes on the table and its indexes. TransactWrite/TransactGet are authorised per item action. */
const TABLE_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];

/**
 * The cleanup job's item actions, exactly what it uses: the expiry and links queries, consistent
 * reads, conditional deletes and updates in transactions (authorised per item action, so no
 * `TransactWriteItems`), audit puts, and batch deletes of a purged node's items. No BatchGet,
 * no ConditionCheck, no Scan.
 */
const CLEANUP_TABLE_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/** The audit job's item actions: head reads, chain and checkpoint queries, checkpoint puts. Nothing else. */
const AUDIT_TABLE_ITEM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'];

/**
 * What DynamoDB needs from the caller to use the table's customer-managed key on
 * its behalf. No ReEncrypt: DynamoDB rotates its table keys through its own grant.
 */
const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];

/**
 * What a presigned URL may do: the request is signed with the function's role, so
 * the role's permissions are the URL's ceiling. HeadObject is authorised by GetObject,
 * CreateMultipartUpload/UploadPart/CompleteMultipartUpload by PutObject,
 * DeleteObjects by DeleteObject.
 */
const DOCUMENT_OBJECT_ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
];

/** SSE-KMS: PUT (and multipart) needs a data key, GET and multipart parts need Decrypt. */
const OBJECT_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

/** What a presigned GET may do: read the object, which SSE-KMS decrypts with the storage key. */
const DOCUMENT_OBJECT_READ_ACTIONS = ['s3:GetObject'];
const OBJECT_KEY_READ_ACTIONS = ['kms:Decrypt'];

/** Purging objects: DeleteObjects is authorised by DeleteObject. Neither needs the storage key. */
const DOCUMENT_OBJECT_CLEANUP_ACTIONS = ['s3:DeleteObject', 's3:AbortMultipartUpload'];

/** Table read/write (no Scan: every access pattern is a key lookup or a Query). Sets `TABLE_NAME`. */
export function grantTableReadWrite(fn: CofferFunction, table: ITableV2): void {
  grantTableItems(fn, table, TABLE_ITEM_ACTIONS);
}

/** The cleanup job's table use: CLEANUP_TABLE_ITEM_ACTIONS only. Sets `TABLE_NAME`. */
export function grantTableCleanup(fn: CofferFunction, table: ITableV2): void {
  grantTableItems(fn, table, CLEANUP_TABLE_ITEM_ACTIONS);
}

/** The audit job's table use: AUDIT_TABLE_ITEM_ACTIONS only. Sets `TABLE_NAME`. */
export function grantTableAudit(fn: CofferFunction, table: ITableV2): void {
  grantTableItems(fn, table, AUDIT_TABLE_ITEM_ACTIONS);
}

/**
 * Appending to an audit chain (the audit API's own request events, docs/audit.md, "Queries"): the
 * chain head's UpdateItem, on the table itself and only on items whose partition key is an audit
 * chain's (`AUDIT#<shard>`), so the function can move a head but change nothing else. The event's
 * PutItem is in AUDIT_TABLE_ITEM_ACTIONS already.
 */
export function grantAuditAppend(fn: CofferFunction, table: ITableV2): void {
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'AuditChainHeads',
      actions: ['dynamodb:UpdateItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } },
    }),
  );
}

function grantTableItems(fn: CofferFunction, table: ITableV2, actions: string[]): void {
  const key = requireKey(table.encryptionKey, 'the table');
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'TableItems',
      actions,
      // Each index by name, from the one table definition: no `index/*`.
      resources: [table.tableArn, ...TABLE.indexes.map((index) => `${table.tableArn}/index/${index.name}`)],
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'TableEncryptionKey',
      actions: TABLE_KEY_ACTIONS,
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': viaService(fn, 'dynamodb') } },
    }),
  );
  fn.bindEnvironment(ENV.tableName, table.tableName);
}

/**
 * Presigned PUT/GET and multipart uploads on document objects (`docs/*`) only,
 * plus the SSE-KMS key use they imply, only through S3. Sets `BUCKET_NAME`.
 */
export function grantPresign(fn: CofferFunction, bucket: IBucket, storageKey: IKey): void {
  const documentObjects = bucket.arnForObjects(`${DEFAULTS.documentObjectPrefix}*`);
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'DocumentObjects',
      actions: DOCUMENT_OBJECT_ACTIONS,
      resources: [documentObjects],
    }),
  );
  acknowledgeWildcardResource(
    fn.role ?? fn,
    documentObjects,
    `Object keys are per document and version (${DEFAULTS.documentObjectPrefix}<documentId>/v<n>), created at run time; the grant is limited to that prefix of this one bucket, and the handlers authorise each document against the table before presigning.`,
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      // Without ListBucket, S3 answers HeadObject on a missing key with 403 instead
      // of 404, and "complete before upload" would look like an outage.
      sid: 'DocumentBucketList',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'DocumentEncryptionKey',
      actions: OBJECT_KEY_ACTIONS,
      resources: [storageKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': viaService(fn, 's3') } },
    }),
  );
  fn.bindEnvironment(ENV.bucketName, bucket.bucketName);
}

/**
 * Presigned GETs only (share links): read document objects (`docs/*`) and the storage key's
 * Decrypt that SSE-KMS needs for them, only through S3. Sets `BUCKET_NAME`.
 */
export function grantPresignRead(fn: CofferFunction, bucket: IBucket, storageKey: IKey): void {
  const documentObjects = bucket.arnForObjects(`${DEFAULTS.documentObjectPrefix}*`);
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'DocumentObjectsRead',
      actions: DOCUMENT_OBJECT_READ_ACTIONS,
      resources: [documentObjects],
    }),
  );
  acknowledgeWildcardResource(
    fn.role ?? fn,
    documentObjects,
    `Object keys are per document and version (${DEFAULTS.documentObjectPrefix}<documentId>/v<n>), created at run time; the grant is GetObject only, limited to that prefix of this one bucket, and a link is checked against the table before its object is presigned.`,
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'DocumentDecryptionKey',
      actions: OBJECT_KEY_READ_ACTIONS,
      resources: [storageKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': viaService(fn, 's3') } },
    }),
  );
  fn.bindEnvironment(ENV.bucketName, bucket.bucketName);
}

/**
 * Purge document objects (`docs/*`): delete them and abort unfinished multipart uploads; no
 * read, no write, no key use. Sets `BUCKET_NAME`.
 */
export function grantObjectCleanup(fn: CofferFunction, bucket: IBucket): void {
  const documentObjects = bucket.arnForObjects(`${DEFAULTS.documentObjectPrefix}*`);
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'DocumentObjectsCleanup',
      actions: DOCUMENT_OBJECT_CLEANUP_ACTIONS,
      resources: [documentObjects],
    }),
  );
  acknowledgeWildcardResource(
    fn.role ?? fn,
    documentObjects,
    `Object keys are per document and version (${DEFAULTS.documentObjectPrefix}<documentId>/v<n>), created at run time; the cleanup job may only delete them and abort their multipart uploads, under that prefix of this one bucket, for nodes the table marks abandoned or deleting.`,
  );
  fn.bindEnvironment(ENV.bucketName, bucket.bucketName);
}

/** Sign access tokens (ES256) and read the public key. Sets `SIGNING_KEY_ID`. */
export function grantSign(fn: CofferFunction, signingKey: IKey): void {
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'SignAccessTokens',
      actions: ['kms:Sign'],
      resources: [signingKey.keyArn],
      conditions: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'RAW' } },
    }),
  );
  grantVerify(fn, signingKey);
}

/** Read the signing public key to verify access tokens locally. Sets `SIGNING_KEY_ID`. */
export function grantVerify(fn: CofferFunction, signingKey: IKey): void {
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'ReadSigningPublicKey',
      actions: ['kms:GetPublicKey'],
      resources: [signingKey.keyArn],
    }),
  );
  // The key id, not the ARN: it is also the JWT `kid`, and an ARN would publish the account id.
  fn.bindEnvironment(ENV.signingKeyId, signingKey.keyId);
}

/**
 * Sign audit checkpoints with the audit key (ECDSA_SHA_256, RAW only) and read its public key.
 * Given to the audit job alone (docs/audit.md). Sets `AUDIT_KEY_ID`.
 */
export function grantAuditSign(fn: CofferFunction, auditKey: IKey): void {
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'SignAuditCheckpoints',
      actions: ['kms:Sign'],
      resources: [auditKey.keyArn],
      conditions: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'RAW' } },
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'ReadAuditPublicKey',
      actions: ['kms:GetPublicKey'],
      resources: [auditKey.keyArn],
    }),
  );
  fn.bindEnvironment(ENV.auditKeyId, auditKey.keyId);
}

/**
 * Put archive objects (`audit/*`) in the audit archive bucket: PutObject only (no read, no
 * delete, no retention change; the bucket's default Object Lock retention applies, and SSE-S3
 * needs no key). Given to the audit job alone (docs/audit.md, "Archive"). Sets `AUDIT_ARCHIVE_BUCKET`.
 */
export function grantAuditArchive(fn: CofferFunction, bucket: IBucket): void {
  const archiveObjects = bucket.arnForObjects(`${DEFAULTS.auditArchiveObjectPrefix}*`);
  fn.addToRolePolicy(new PolicyStatement({ sid: 'ArchiveAuditEvents', actions: ['s3:PutObject'], resources: [archiveObjects] }));
  acknowledgeWildcardResource(
    fn.role ?? fn,
    archiveObjects,
    `Archive objects are per chain and seq range (${DEFAULTS.auditArchiveObjectPrefix}<shard>/<from>-<to>.jsonl), named at run time; the grant is PutObject only, under that prefix of this one bucket, whose Object Lock keeps every version.`,
  );
  fn.bindEnvironment(ENV.auditArchiveBucket, bucket.bucketName);
}

/** HMAC-SHA-256 under the MAC key (login verifiers, fake KDF salts). Sets `MAC_KEY_ID`. */
export function grantMac(fn: CofferFunction, macKey: IKey): void {
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'GenerateMac',
      actions: ['kms:GenerateMac'],
      resources: [macKey.keyArn],
      conditions: { StringEquals: { 'kms:MacAlgorithm': 'HMAC_SHA_256' } },
    }),
  );
  fn.bindEnvironment(ENV.macKeyId, macKey.keyId);
}

/** Encrypt under the data key, only with an encryption context. Sets `DATA_KEY_ID`. */
export function grantEncryptWithContext(fn: CofferFunction, dataKey: IKey): void {
  fn.addToRolePolicy(dataKeyStatement('EncryptWithContext', 'kms:Encrypt', dataKey));
  fn.bindEnvironment(ENV.dataKeyId, dataKey.keyId);
}

/** Decrypt under the data key, only with an encryption context. Sets `DATA_KEY_ID`. */
export function grantDecryptWithContext(fn: CofferFunction, dataKey: IKey): void {
  fn.addToRolePolicy(dataKeyStatement('DecryptWithContext', 'kms:Decrypt', dataKey));
  fn.bindEnvironment(ENV.dataKeyId, dataKey.keyId);
}

function dataKeyStatement(sid: string, action: string, dataKey: IKey): PolicyStatement {
  return new PolicyStatement({
    sid,
    actions: [action],
    resources: [dataKey.keyArn],
    conditions: {
      StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' },
      // Do not remove: a blob sealed without a context could be replayed as any user's.
      Null: { 'kms:EncryptionContextKeys': 'false' },
    },
  });
}

function viaService(fn: CofferFunction, service: 'dynamodb' | 's3'): string {
  const stack = Stack.of(fn);
  return `${service}.${stack.region}.${stack.urlSuffix}`;
}

function requireKey(key: IKey | undefined, what: string): IKey {
  if (!key) throw new Error(`${what} must be encrypted with a customer-managed KMS key`);
  return key;
}
