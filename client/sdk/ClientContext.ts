import type { KdfCost } from '../../shared/core/crypto/index.js';
import type { ApiClient, FetchLike } from './ApiClient.js';
import type { Recipients } from './Recipients.js';
import type { SessionKeeper } from './SessionKeeper.js';

/**
 * `bearer` (CLI, SDK): the refresh token is in the session, sent in request bodies. `cookie` (the
 * web app): the server keeps it in an HttpOnly cookie on /auth/session that no script can read.
 */
export type SessionMode = 'bearer' | 'cookie';

/** The header the server requires on every request that sets or spends the refresh cookie (its CSRF defence). */
export const CSRF_HEADERS: Readonly<Record<string, string>> = { 'x-coffer-csrf': '1' };

/** What the operation modules share; CofferClient builds it once. */
export interface ClientContext {
  readonly api: ApiClient;
  readonly keeper: SessionKeeper;
  readonly recipients: Recipients;
  /** `cookie`: the web app's session, the refresh token an HttpOnly cookie (CofferClientOptions.session). */
  readonly session?: SessionMode;
  /** For presigned object-storage URLs (no bearer token, no API error envelope). */
  readonly fetch: FetchLike;
  /** The logged-in user's private key, imported once per session. */
  privateKey(): Promise<CryptoKey>;
  /** The private keys of the user's groups (nested too), for keys shared with a group. */
  groupKeys?: () => Promise<GroupKeySource>;
  readonly tuning: Tuning;
}

/**
 * Default for Tuning.partMemory: two parts of the server's default plan (16 encrypted chunks of
 * 1048592 bytes, just over 16 MiB each). Measured with the CLI on the local stack
 * (docs/benchmarks.md, "Large files"): two parts in memory upload as fast as four there, and keep
 * the client's peak RSS within 128 MiB.
 */
export const DEFAULT_PART_MEMORY = 2 * 16 * 1048592;

export interface Tuning {
  /**
   * Multipart parts uploaded at once. Each is held in memory while it is cut and sent, so the
   * number of part buffers is this or fewer (`partMemory`): memory ~ partSize x buffers.
   */
  partConcurrency: number;
  /** Bytes of part buffers an upload may hold (default DEFAULT_PART_MEMORY); at least one part whatever the size. */
  partMemory?: number;
  /**
   * Send buffered request bodies (parts, small single PUTs) as streams of slices with an
   * explicit length, not as a Uint8Array that Node's fetch copies whole first (default:
   * streamSingleUploads, i.e. Node).
   */
  streamRequestBodies?: boolean;
  /** Send buffered request bodies that are not streamed as Blobs (PutOptions.blobBody; default: in browsers). */
  blobRequestBodies?: boolean;
  /** Documents whose keys `list` fetches and unwraps at once when the listing carries no wrapped key. */
  listConcurrency: number;
  /**
   * Send a large single-part upload as a stream with an explicit Content-Length (Node's
   * fetch supports it; browsers do not), instead of buffering the whole ciphertext.
   */
  streamSingleUploads: boolean;
  /** Single-part uploads up to this size are buffered, so they can be retried. */
  bufferSingleUploadsUpTo: number;
  /** Accept login KDF parameters below MIN_PRODUCTION_KDF (test accounts only). */
  allowWeakKdf: boolean;
  /** The Argon2id cost of new link passwords (default DEFAULT_KDF; tests pass TEST_KDF). */
  linkKdf?: KdfCost;
  /** The Argon2id cost of new accounts and new passphrases (default DEFAULT_KDF; tests pass TEST_KDF). */
  accountKdf?: KdfCost;
}

/** Opens the private key of a group the user is in, at a given key generation. */
export interface GroupKeySource {
  privateKeyFor(groupId: string, generation: number): Promise<CryptoKey>;
}
