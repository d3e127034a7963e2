/**
 * The S3 port. Document bytes never pass through the API: clients PUT and GET
 * ciphertext through short-lived presigned URLs issued here.
 */
export interface PresignedRequest {
  url: string;
  headers: Record<string, string>;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

export interface ObjectStore {
  presignPut(key: string, ttlSeconds: number): Promise<PresignedRequest>;
  presignGet(key: string, ttlSeconds: number): Promise<string>;
  createMultipartUpload(key: string): Promise<string>;
  presignUploadPart(key: string, uploadId: string, partNumber: number, ttlSeconds: number): Promise<string>;
  /** Throws Unprocessable('UPLOAD_INCOMPLETE') when the parts do not match what was uploaded. */
  completeMultipartUpload(key: string, uploadId: string, parts: CompletedPart[]): Promise<void>;
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;
  /** Size in bytes; throws NotFound('OBJECT_NOT_FOUND') when absent. */
  size(key: string): Promise<number>;
  /** Idempotent: absent keys are not an error. */
  deleteObjects(keys: string[]): Promise<void>;
}
