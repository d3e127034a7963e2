import type { KdfCost } from '../../shared/crypto/index.js';
import type { ApiClient, FetchLike } from './ApiClient.js';
import type { Recipients } from './Recipients.js';
import type { SessionKeeper } from './SessionKeeper.js';

/** What the operation modules share; CofferClient builds it once. */
export interface ClientContext {
  readonly api: ApiClient;
  readonly keeper: SessionKeeper;
  readonly recipients: Recipients;
  /** For presigned object-storage URLs (no bearer token, no API error envelope). */
  readonly fetch: FetchLike;
  /** The logged-in user's private key, imported once per session. */
  privateKey(): Promise<CryptoKey>;
  /** The private keys of the user's groups (nested too), for keys shared with a group. */
  groupKeys?: () => Promise<GroupKeySource>;
  readonly tuning: Tuning;
}

export interface Tuning {
  /** Multipart parts uploaded at once (each is held in memory: memory ~ partSize x this). */
  partConcurrency: number;
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
}

/** Opens the private key of a group the user is in, at a given key generation. */
export interface GroupKeySource {
  privateKeyFor(groupId: string, generation: number): Promise<CryptoKey>;
}
