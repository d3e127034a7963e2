/**
 * The audit archive port (docs/audit.md, "Archive"): long-retention, write-once storage for
 * ranges of the audit chains, as JSON Lines objects.
 *
 * Adapters: `adapters/aws/S3AuditArchive` (S3, a bucket with Object Lock in compliance mode) and
 * `adapters/local/LocalDirectoryAuditArchive` (a directory, for `npm start` and tests). One
 * contract test (`test/unit/adapters/auditArchive.contract.test.ts`) runs against both.
 */
export interface AuditArchive {
  /**
   * Stores `body` at `key` (shared/server/data/keys.ts `auditArchiveObject`). Putting a key again is
   * accepted and keeps every earlier version (S3 versioning under Object Lock: an overwrite adds
   * a version, nothing is replaced or deleted); the archive job only ever re-puts the same bytes.
   * Throws TypeError for a key outside the archive's key space, and ServiceUnavailable (naming
   * no bucket, key or path) when the store fails.
   */
  put(key: string, body: Uint8Array): Promise<void>;
}

/** Archive object keys: `audit/<shard>/<12-digit from seq>-<12-digit to seq>.jsonl`. */
export const AUDIT_ARCHIVE_KEY = /^audit\/\d{2,4}\/\d{12}-\d{12}\.jsonl$/;

/** Shared argument guard for both adapters: a key outside the archive's space is a programmer error. */
export function assertArchiveKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !AUDIT_ARCHIVE_KEY.test(key)) throw new TypeError('archive key must be audit/<shard>/<from>-<to>.jsonl');
}

/** Shared argument guard for both adapters. */
export function assertArchiveBody(body: unknown): asserts body is Uint8Array {
  if (!(body instanceof Uint8Array)) throw new TypeError('archive body must be a Uint8Array');
}
