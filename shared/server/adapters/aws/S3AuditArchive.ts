import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ServiceUnavailable } from '../../../core/errors/index.js';
import { type AuditArchive, assertArchiveBody, assertArchiveKey } from '../../ports/AuditArchive.js';

/**
 * AuditArchive on S3: one PutObject per range, into a versioned bucket with Object Lock
 * (compliance mode, the bucket's default retention: infra/stacks/DataStack.ts). The request
 * sets no retention of its own, so the role needs PutObject only. Build the client with
 * `S3ObjectStore.clientConfig` (shared/server/config/clients.ts `s3Client`).
 */
export class S3AuditArchive implements AuditArchive {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    assertArchiveKey(key);
    assertArchiveBody(body);
    // Object Lock buckets refuse a PUT without an integrity header; S3 also rejects a body that
    // does not match it, so a truncated upload never becomes an archived version.
    const contentMd5 = createHash('md5').update(body).digest('base64');
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentMD5: contentMd5,
          ContentType: 'application/x-ndjson',
        }),
      );
    } catch {
      // SDK messages may name the bucket and the key: never pass them upward.
      throw new ServiceUnavailable('The audit archive could not be written: the next run retries.');
    }
  }
}
