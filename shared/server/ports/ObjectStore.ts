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

/** A part S3 holds of an unfinished multipart upload. */
export interface StoredPart {
  partNumber: number;
  etag: string;
  size: number;
}

export interface ObjectStore {
  presignPut(key: string, ttlSeconds: number): Promise<PresignedRequest>;
  presignGet(key: string, ttlSeconds: number): Promise<string>;
  createMultipartUpload(key: string): Promise<string>;
  presignUploadPart(key: string, uploadId: string, partNumber: number, ttlSeconds: number): Promise<string>;
  /** Throws Unprocessable('UPLOAD_INCOMPLETE') when the parts do not match what was uploaded. */
  completeMultipartUpload(key: string, uploadId: string, parts: CompletedPart[]): Promise<void>;
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;
  /**
   * The parts stored so far of an unfinished multipart upload, by part number (every page).
   * Throws NotFound('UPLOAD_NOT_FOUND') when the upload is gone (completed or aborted).
   */
  listParts(key: string, uploadId: string): Promise<StoredPart[]>;
  /** Size in bytes; throws NotFound('OBJECT_NOT_FOUND') when absent. */
  size(key: string): Promise<number>;
  /** Idempotent: absent keys are not an error. */
  deleteObjects(keys: string[]): Promise<void>;
}
