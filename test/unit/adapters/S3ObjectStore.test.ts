import {
  CompleteMultipartUploadCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListPartsCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../shared/server/adapters/aws/S3ObjectStore.js';
import { s3Client } from '../../../shared/server/config/clients.js';
import { startS3Local, type S3Local } from '../../../infra/local/startS3Local.js';

function s3Error(name: string, status: number, message = 'arn:aws:s3:::secret-bucket/docs/key leaked'): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });
}

/** The ObjectStore contract, run against s3rver: the same adapter code serves AWS and the local stack. */
describe('S3ObjectStore contract (s3rver)', () => {
  let s3: S3Local;
  let store: S3ObjectStore;
  beforeAll(async () => {
    s3 = await startS3Local('contract', ['http://127.0.0.1:5173']);
    store = new S3ObjectStore(s3Client({ s3: s3.endpoint }), 'contract');
  });
  afterAll(() => s3?.stop());

  it('round-trips bytes through a presigned PUT and GET and reports the size', async () => {
    const put = await store.presignPut('docs/a/v1', 60);
    expect((await fetch(put.url, { method: 'PUT', headers: put.headers, body: Buffer.from('ciphertext') })).ok).toBe(true);
    expect(await store.size('docs/a/v1')).toBe(10);
    const get = await fetch(await store.presignGet('docs/a/v1', 60));
    expect(Buffer.from(await get.arrayBuffer()).toString()).toBe('ciphertext');
  });

  it('presigns without a checksum of an empty body (WHEN_REQUIRED)', async () => {
    const put = await store.presignPut('docs/b/v1', 60);
    expect(put.url).not.toMatch(/x-amz-checksum-crc32/i);
    expect(put.url).not.toMatch(/x-amz-sdk-checksum-algorithm/i);
  });

  it('answers NotFound OBJECT_NOT_FOUND for an absent object', async () => {
    await expect(store.size('docs/none/v1')).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
  });

  it('deletes idempotently', async () => {
    await store.deleteObjects(['docs/a/v1', 'docs/never/v1']);
    await expect(store.size('docs/a/v1')).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
    await store.deleteObjects(['docs/a/v1']);
  });

  it('completes a multipart upload of presigned parts', async () => {
    const uploadId = await store.createMultipartUpload('docs/m/v1');
    const parts = [];
    for (const [i, body] of ['part-one-', 'part-two'].entries()) {
      const res = await fetch(await store.presignUploadPart('docs/m/v1', uploadId, i + 1, 60), { method: 'PUT', body });
      parts.push({ partNumber: i + 1, etag: res.headers.get('etag')! });
    }
    await store.completeMultipartUpload('docs/m/v1', uploadId, parts);
    expect(await store.size('docs/m/v1')).toBe(17);
  });
  // s3rver accepts any ETag on completion; the UPLOAD_INCOMPLETE mapping is checked with the mock below.

  it('lists the parts stored so far of an unfinished upload, and UPLOAD_NOT_FOUND once it is gone', async () => {
    const uploadId = await store.createMultipartUpload('docs/r/v2');
    const etags = new Map<number, string>();
    for (const n of [3, 1]) {
      const res = await fetch(await store.presignUploadPart('docs/r/v2', uploadId, n, 60), { method: 'PUT', body: 'x'.repeat(n * 10) });
      etags.set(n, res.headers.get('etag')!);
    }
    expect(await store.listParts('docs/r/v2', uploadId)).toEqual([
      { partNumber: 1, etag: etags.get(1), size: 10 },
      { partNumber: 3, etag: etags.get(3), size: 30 },
    ]);
    await store.completeMultipartUpload('docs/r/v2', uploadId, [1, 3].map((n) => ({ partNumber: n, etag: etags.get(n)! })));
    await expect(store.listParts('docs/r/v2', uploadId)).rejects.toMatchObject({ code: 'UPLOAD_NOT_FOUND' });
  });
});

describe('S3ObjectStore error paths (aws-sdk-client-mock)', () => {
  // Mock this one client instance only: the contract suite above uses real clients.
  const client = new S3Client({ region: 'eu-west-1' });
  const mock = mockClient(client);
  const store = new S3ObjectStore(client, 'bucket');
  beforeEach(() => mock.reset());

  it('maps a 404 HeadObject to NotFound and sends the right key', async () => {
    mock.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
    await expect(store.size('docs/x/v1')).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
    expect(mock).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: 'bucket', Key: 'docs/x/v1' });
  });

  it('maps throttling and 5xx to SERVICE_UNAVAILABLE without leaking the SDK message', async () => {
    mock.on(HeadObjectCommand).rejects(s3Error('SlowDown', 503));
    const error = await store.size('docs/x/v1').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(String((error as Error).message)).not.toMatch(/arn|secret-bucket|docs\/key/);
  });

  it('reports partial DeleteObjects failures instead of ignoring them', async () => {
    mock.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'docs/x/v1', Code: 'AccessDenied' }] });
    await expect(store.deleteObjects(['docs/x/v1'])).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('deletes in batches of at most 1000 keys', async () => {
    mock.on(DeleteObjectsCommand).resolves({});
    await store.deleteObjects(Array.from({ length: 2500 }, (_, i) => `docs/${i}/v1`));
    expect(mock).toHaveReceivedCommandTimes(DeleteObjectsCommand, 3);
  });

  it('follows ListParts pages by NextPartNumberMarker and returns every part in order', async () => {
    mock
      .on(ListPartsCommand, { UploadId: 'u' })
      .resolvesOnce({ Parts: [{ PartNumber: 1, ETag: '"a"', Size: 5 }, { PartNumber: 2, ETag: '"b"', Size: 5 }], IsTruncated: true, NextPartNumberMarker: '2' })
      .resolvesOnce({ Parts: [{ PartNumber: 4, ETag: '"d"', Size: 3 }], IsTruncated: false });
    expect(await store.listParts('docs/x/v2', 'u')).toEqual([
      { partNumber: 1, etag: '"a"', size: 5 },
      { partNumber: 2, etag: '"b"', size: 5 },
      { partNumber: 4, etag: '"d"', size: 3 },
    ]);
    expect(mock).toHaveReceivedCommandTimes(ListPartsCommand, 2);
    expect(mock).toHaveReceivedNthCommandWith(ListPartsCommand, 1, { Bucket: 'bucket', Key: 'docs/x/v2', UploadId: 'u' });
    expect(mock).toHaveReceivedNthCommandWith(ListPartsCommand, 2, { Bucket: 'bucket', Key: 'docs/x/v2', UploadId: 'u', PartNumberMarker: '2' });
  });

  it('maps NoSuchUpload (404) on ListParts to UPLOAD_NOT_FOUND and a 5xx to SERVICE_UNAVAILABLE without the SDK message', async () => {
    mock.on(ListPartsCommand).rejectsOnce(s3Error('NoSuchUpload', 404)).rejectsOnce(s3Error('InternalError', 500));
    await expect(store.listParts('k', 'u')).rejects.toMatchObject({ code: 'UPLOAD_NOT_FOUND' });
    const error = await store.listParts('k', 'u').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(String((error as Error).message)).not.toMatch(/arn|secret-bucket|docs\/key/);
  });

  it('stops when a truncated page repeats its marker, instead of looping forever', async () => {
    mock.on(ListPartsCommand).resolves({ Parts: [{ PartNumber: 1, ETag: '"a"', Size: 5 }], IsTruncated: true, NextPartNumberMarker: '1' });
    expect(await store.listParts('k', 'u')).toEqual([{ partNumber: 1, etag: '"a"', size: 5 }]);
    expect(mock).toHaveReceivedCommandTimes(ListPartsCommand, 2);
  });

  it('maps a 4xx on CompleteMultipartUpload to UPLOAD_INCOMPLETE and a 5xx to SERVICE_UNAVAILABLE', async () => {
    mock.on(CompleteMultipartUploadCommand).rejectsOnce(s3Error('InvalidPart', 400)).rejectsOnce(s3Error('InternalError', 500));
    await expect(store.completeMultipartUpload('k', 'u', [{ partNumber: 1, etag: 'e' }])).rejects.toMatchObject({ code: 'UPLOAD_INCOMPLETE' });
    await expect(store.completeMultipartUpload('k', 'u', [{ partNumber: 1, etag: 'e' }])).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
