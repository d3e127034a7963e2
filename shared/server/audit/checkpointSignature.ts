import { createHash, createPublicKey, verify } from 'node:crypto';
import { canonicalJson } from './canonicalJson.js';

/** Domain separation: a checkpoint signature can never be taken for any other signed message. */
export const CHECKPOINT_PURPOSE = 'coffer/audit-checkpoint/v1';

/** What a checkpoint signs (docs/audit.md, "Signed checkpoints"). */
export interface CheckpointClaim {
  shard: string;
  seq: number;
  hash: string;
  at: string;
}

/** The signed bytes: canonical JSON of the claim and its purpose. */
export function checkpointMessage(claim: CheckpointClaim): Uint8Array {
  const { shard, seq, hash, at } = claim;
  return new TextEncoder().encode(canonicalJson({ purpose: CHECKPOINT_PURPOSE, shard, seq, hash, at }));
}

/** A key's id in checkpoints: SHA-256 (hex) of its SPKI. */
export function checkpointKeyId(spki: Uint8Array): string {
  return createHash('sha256').update(spki).digest('hex');
}

/**
 * True only when `signature` (base64url r || s) is a valid ECDSA P-256 / SHA-256 signature by
 * the key `spki` over exactly this claim. Any malformed input is false, never an exception.
 */
export function checkpointSignatureValid(spki: Uint8Array, claim: CheckpointClaim, signature: unknown): boolean {
  if (typeof signature !== 'string' || !/^[A-Za-z0-9_-]{86}$/.test(signature)) return false;
  try {
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    return verify('sha256', checkpointMessage(claim), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
