import { createHash } from 'node:crypto';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3AuditArchive } from '../../../shared/server/adapters/aws/S3AuditArchive.js';
import { auditArchiveObject } from '../../../shared/server/data/keys.js';

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: 'arn:aws:s3:::secret-archive-bucket/audit/03/000000000001-000000000002.jsonl denied',
  });
}

describe('S3AuditArchive (aws-sdk-client-mock)', () => {
  const client = new S3Client({ region: 'eu-west-1' });
  const mock = mockClient(client);
  const archive = new S3AuditArchive(client, 'secret-archive-bucket');
  const key = auditArchiveObject('03', 1, 2);
  const body = new TextEncoder().encode('{"seq":1}\n{"seq":2}\n');
  beforeEach(() => mock.reset());

  it('puts the object with its Content-MD5 (Object Lock requires one) and the JSON Lines type', async () => {
    // Prepare
    mock.on(PutObjectCommand).resolves({ VersionId: 'v1' });

    // Act
    await archive.put(key, body);

    // Assess
    expect(mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'secret-archive-bucket',
      Key: key,
      Body: body,
      ContentMD5: createHash('md5').update(body).digest('base64'),
      ContentType: 'application/x-ndjson',
    });
  });

  it('sets no retention, legal hold or governance bypass of its own: the bucket default applies', async () => {
    mock.on(PutObjectCommand).resolves({});
    await archive.put(key, body);
    const input = mock.commandCalls(PutObjectCommand)[0]!.args[0].input;
    for (const field of ['ObjectLockMode', 'ObjectLockRetainUntilDate', 'ObjectLockLegalHoldStatus', 'ACL']) expect(input).not.toHaveProperty(field);
  });

  it.each([
    ['AccessDenied', 403],
    ['NoSuchBucket', 404],
    ['InvalidRequest', 400],
    ['SlowDown', 503],
    ['InternalError', 500],
  ])('maps %s (%i) to SERVICE_UNAVAILABLE without the bucket, key or SDK message', async (name, status) => {
    mock.on(PutObjectCommand).rejects(s3Error(name, status));
    const error = await archive.put(key, body).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: 'The audit archive could not be written: the next run retries.' });
    const shown = JSON.stringify({ ...(error as object), message: (error as Error).message, cause: (error as Error).cause });
    expect(shown).not.toMatch(/secret-archive-bucket|arn:|audit\/03|denied/);
  });

  it('maps a network failure to SERVICE_UNAVAILABLE too', async () => {
    mock.on(PutObjectCommand).rejects(new Error('connect ECONNREFUSED secret-archive-bucket.s3.eu-west-1.amazonaws.com'));
    await expect(archive.put(key, body)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('refuses a key outside audit/<shard>/<from>-<to>.jsonl without calling S3', async () => {
    await expect(archive.put('docs/x/v1', body)).rejects.toThrow(TypeError);
    expect(mock).not.toHaveReceivedCommand(PutObjectCommand);
  });
});
