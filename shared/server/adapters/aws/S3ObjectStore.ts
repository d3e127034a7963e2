import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NotFound, ServiceUnavailable, Unprocessable } from '../../../core/errors/index.js';
import type { CompletedPart, ObjectStore, PresignedRequest, StoredPart } from '../../ports/ObjectStore.js';

/**
 * ObjectStore on the S3 API. The same adapter serves AWS and the local stack
 * (s3rver): only the client's endpoint differs. Clients must be built with
 * `requestChecksumCalculation: 'WHEN_REQUIRED'` so presigned PUTs carry no
 * checksum of an empty body (see S3ObjectStore.clientConfig).
 */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  static readonly clientConfig = {
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  } as const;

  async presignPut(key: string, ttlSeconds: number): Promise<PresignedRequest> {
    const url = await this.sign(new PutObjectCommand({ Bucket: this.bucket, Key: key }), ttlSeconds);
    return { url, headers: {} };
  }

  presignGet(key: string, ttlSeconds: number): Promise<string> {
    return this.sign(new GetObjectCommand({ Bucket: this.bucket, Key: key }), ttlSeconds);
  }

  async createMultipartUpload(key: string): Promise<string> {
    const out = await this.call(() => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key })));
    if (!out.UploadId) throw new ServiceUnavailable();
    return out.UploadId;
  }

  presignUploadPart(key: string, uploadId: string, partNumber: number, ttlSeconds: number): Promise<string> {
    return this.sign(
      new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber }),
      ttlSeconds,
    );
  }

  async completeMultipartUpload(key: string, uploadId: string, parts: CompletedPart[]): Promise<void> {
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      );
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode && error.$metadata.httpStatusCode < 500) {
        throw new Unprocessable('UPLOAD_INCOMPLETE', 'The uploaded parts do not match: upload every part, then complete with their ETags.');
      }
      throw new ServiceUnavailable();
    }
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
    } catch (error) {
      // Already completed or aborted (and s3rver answers 405): nothing left to abort.
      if (error instanceof S3ServiceException && (error.$metadata.httpStatusCode ?? 500) < 500) return;
      throw new ServiceUnavailable();
    }
  }

  async listParts(key: string, uploadId: string): Promise<StoredPart[]> {
    const parts = new Map<number, StoredPart>();
    let marker: string | undefined;
    // Pages of at most 1000 parts: follow NextPartNumberMarker while S3 says there are more.
    for (;;) {
      const out = await this.client
        .send(new ListPartsCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, ...(marker ? { PartNumberMarker: marker } : {}) }))
        .catch((error: unknown) => {
          if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) {
            throw new NotFound('UPLOAD_NOT_FOUND', 'This upload is no longer open (completed or aborted): start a new one.');
          }
          throw new ServiceUnavailable();
        });
      for (const p of out.Parts ?? []) {
        if (p.PartNumber !== undefined && p.ETag !== undefined) parts.set(p.PartNumber, { partNumber: p.PartNumber, etag: p.ETag, size: p.Size ?? 0 });
      }
      // A marker that does not move would loop forever: stop (a later resume lists again).
      if (!out.IsTruncated || !out.NextPartNumberMarker || out.NextPartNumberMarker === marker) break;
      marker = out.NextPartNumberMarker;
    }
    return [...parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  }

  async size(key: string): Promise<number> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.ContentLength ?? 0;
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) {
        throw new NotFound('OBJECT_NOT_FOUND', 'The ciphertext has not been uploaded.');
      }
      throw new ServiceUnavailable();
    }
  }

  async deleteObjects(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const out = await this.call(() =>
        this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      );
      if (out.Errors && out.Errors.length > 0) throw new ServiceUnavailable('Some objects could not be deleted: retry.');
    }
  }

  private async sign(command: PutObjectCommand | GetObjectCommand | UploadPartCommand, ttlSeconds: number): Promise<string> {
    // The presigner's generic signature does not accept concrete commands under strict variance.
    return this.call(() => getSignedUrl(this.client, command as never, { expiresIn: ttlSeconds }));
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch {
      // SDK messages may name buckets and keys: never pass them upward.
      throw new ServiceUnavailable();
    }
  }
}
