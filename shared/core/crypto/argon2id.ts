import { argon2id } from 'hash-wasm';
import type { KdfCost } from './kdfParams.js';

/**
 * Raw Argon2id (RFC 9106, version 0x13) through hash-wasm. No validation here: callers
 * (deriveUserKeys) validate KdfParams first; tests call it directly for the reference
 * known-answer vectors, whose 8-byte salt KdfParams would refuse.
 */
export async function argon2idBytes(
  password: Uint8Array,
  salt: Uint8Array,
  cost: KdfCost,
  length: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const out = await argon2id({
    password,
    salt,
    memorySize: cost.memoryKiB,
    iterations: cost.iterations,
    parallelism: cost.parallelism,
    hashLength: length,
    outputType: 'binary',
  });
  return new Uint8Array(out);
}
