import type { Logger } from '@aws-lambda-powertools/logger';
import type { AccessTokens } from '../auth/AccessTokens.js';
import type { Database } from '../data/Database.js';
import type { KeyService } from '../ports/KeyService.js';
import type { ObjectStore } from '../ports/ObjectStore.js';

/** Everything a handler needs, wired once per cold start (or per local stack). */
export interface Deps {
  readonly db: Database;
  readonly objects: ObjectStore;
  readonly keys: KeyService;
  readonly tokens: AccessTokens;
  readonly logger: Logger;
  /** Milliseconds since the epoch; injected so tests can move time. */
  readonly clock: () => number;
  readonly settings: Settings;
}

export interface Settings {
  /** Accept Argon2id parameters below the production floor (tests and local demos only). */
  readonly allowWeakKdf: boolean;
  readonly refreshTokenTtlSeconds: number;
  readonly uploadUrlTtlSeconds: number;
  readonly downloadUrlTtlSeconds: number;
  /** Uploads larger than this use multipart. */
  readonly multipartThreshold: number;
  readonly partSize: number;
  /** Pending uploads older than this are abandoned (cleanup, issue 4). */
  readonly abandonAfterSeconds: number;
  /** Share links (docs/links.md): expiry when none is given, and the longest allowed. */
  readonly linkDefaultTtlSeconds: number;
  readonly linkMaxTtlSeconds: number;
  /** Lifetime of the presigned GET a link open returns (at most 60). */
  readonly linkDownloadUrlTtlSeconds: number;
  /** Wrong passwords before a link locks, and for how long. */
  readonly linkMaxPasswordAttempts: number;
  readonly linkLockSeconds: number;
  /**
   * Auditors (docs/audit.md, "Queries"): the members who may query the whole audit log, verify it
   * and sign checkpoints on demand. A deployment setting (`coffer:auditors`), not a role stored in
   * the table, so nobody can make themselves an auditor through the API.
   */
  readonly auditors: readonly string[];
}

export const DEFAULT_SETTINGS: Settings = {
  allowWeakKdf: false,
  refreshTokenTtlSeconds: 30 * 24 * 3600,
  uploadUrlTtlSeconds: 15 * 60,
  downloadUrlTtlSeconds: 5 * 60,
  multipartThreshold: 64 * 1024 * 1024,
  partSize: 16 * 1024 * 1024,
  abandonAfterSeconds: 24 * 3600,
  linkDefaultTtlSeconds: 7 * 24 * 3600,
  linkMaxTtlSeconds: 90 * 24 * 3600,
  linkDownloadUrlTtlSeconds: 60,
  linkMaxPasswordAttempts: 10,
  linkLockSeconds: 15 * 60,
  auditors: [],
};
