import { ValidationFailed } from '../errors/index.js';
import { fromBase64Url, toBase64Url } from './base64url.js';
import { randomBytes } from './randomBytes.js';

/** Argon2id parameters stored with each user (the server hands them back at prelogin). */
export type KdfParams = {
  algorithm: 'argon2id';
  /** Memory in KiB (Argon2 `m`). */
  memoryKiB: number;
  /** Passes over memory (Argon2 `t`). */
  iterations: number;
  /** Lanes (Argon2 `p`). */
  parallelism: number;
  /** base64url of 16 random bytes. */
  salt: string;
};

/** The cost part of KdfParams (everything but the salt). */
export type KdfCost = Omit<KdfParams, 'salt'>;

export const KDF_SALT_BYTES = 16;

/** Production default: 64 MiB, 3 passes, 1 lane. */
export const DEFAULT_KDF: Readonly<KdfCost> = Object.freeze({
  algorithm: 'argon2id',
  memoryKiB: 65536,
  iterations: 3,
  parallelism: 1,
});

/**
 * The floor below which parameters are too weak for real users (OWASP's Argon2id minimum:
 * 19 MiB, 2 passes, 1 lane). The server refuses weaker ones unless COFFER_ALLOW_WEAK_KDF=1,
 * and a client should refuse weaker ones handed to it at login: a malicious server could
 * otherwise lower the cost of guessing the passphrase from the auth key.
 */
export const MIN_PRODUCTION_KDF: Readonly<KdfCost> = Object.freeze({
  algorithm: 'argon2id',
  memoryKiB: 19456,
  iterations: 2,
  parallelism: 1,
});

// ---------------------------------------------------------------------------------------
// TESTS ONLY. 1 MiB, one pass: a passphrase protected by this falls to a laptop. It exists
// so unit and integration tests do not spend 64 MiB per derivation. The server rejects it
// unless COFFER_ALLOW_WEAK_KDF=1. Never use it for a real user.
// ---------------------------------------------------------------------------------------
export const TEST_KDF: Readonly<KdfCost> = Object.freeze({
  algorithm: 'argon2id',
  memoryKiB: 1024,
  iterations: 1,
  parallelism: 1,
});

/**
 * Sanity caps: parameters come back from the server at login, so a hostile server must
 * not be able to make the client allocate gigabytes or spin forever.
 */
export const MAX_KDF: Readonly<KdfCost> = Object.freeze({
  algorithm: 'argon2id',
  memoryKiB: 1_048_576,
  iterations: 64,
  parallelism: 16,
});

/** Fresh parameters for a new user (or a passphrase change): `base` cost, new random salt. */
export function newKdfParams(base: KdfCost = DEFAULT_KDF): KdfParams {
  assertKdfCost(base);
  return {
    algorithm: 'argon2id',
    memoryKiB: base.memoryKiB,
    iterations: base.iterations,
    parallelism: base.parallelism,
    salt: toBase64Url(randomBytes(KDF_SALT_BYTES)),
  };
}

/** True when `params` is at least MIN_PRODUCTION_KDF in every dimension. Throws on malformed params. */
export function isKdfStrongEnough(params: KdfParams): boolean {
  assertKdfParams(params);
  return (
    params.memoryKiB >= MIN_PRODUCTION_KDF.memoryKiB &&
    params.iterations >= MIN_PRODUCTION_KDF.iterations &&
    params.parallelism >= MIN_PRODUCTION_KDF.parallelism
  );
}

/** Validates every field and returns the decoded 16-byte salt. */
export function parseKdfParams(params: KdfParams): { cost: KdfCost; salt: Uint8Array<ArrayBuffer> } {
  assertKdfParams(params);
  return { cost: params, salt: fromBase64Url(params.salt) };
}

function assertKdfParams(params: KdfParams): void {
  assertKdfCost(params);
  let salt: Uint8Array;
  try {
    salt = fromBase64Url(params.salt);
  } catch {
    throw new ValidationFailed('The KDF salt must be base64url.');
  }
  if (salt.length !== KDF_SALT_BYTES) throw new ValidationFailed(`The KDF salt must be ${KDF_SALT_BYTES} bytes.`);
}

/** Validates a cost: argon2id, every field an integer within [TEST_KDF floor, MAX_KDF]. ValidationFailed otherwise. */
export function assertKdfCost(cost: KdfCost): void {
  if (typeof cost !== 'object' || cost === null) throw new ValidationFailed('KDF parameters must be an object.');
  if (cost.algorithm !== 'argon2id') throw new ValidationFailed('The KDF algorithm must be "argon2id".');
  inRange(cost.parallelism, 1, MAX_KDF.parallelism, 'parallelism');
  // Argon2 itself requires at least 8 KiB per lane.
  inRange(cost.memoryKiB, Math.max(8 * cost.parallelism, TEST_KDF.memoryKiB), MAX_KDF.memoryKiB, 'memoryKiB');
  inRange(cost.iterations, 1, MAX_KDF.iterations, 'iterations');
}

function inRange(value: unknown, min: number, max: number, name: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationFailed(`KDF ${name} must be an integer from ${min} to ${max}.`);
  }
}
