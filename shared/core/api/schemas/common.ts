import { z } from 'zod';

/** base64url without padding, canonical alphabet only. */
export const base64url = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url without padding');

export const userId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'must be 2-64 characters: lower-case letters, digits, dot, dash, underscore');

/** 16 random bytes, base64url: chosen by the client so the envelope can bind it before upload. */
export const documentId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'must be 22 base64url characters');

export const fingerprint = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex characters');

/** RSA-OAEP-3072 output: exactly 384 bytes. */
export const wrappedKey = base64url(512, 512);

/** A key wrapped under another key (wrapKeyUnderKey): 61 bytes. */
export const keyUnderKey = base64url(82, 82);

/** A principal: `u:<userId>` or `g:<groupId>`. */
export const principalId = z.union([
  z.string().regex(/^u:[a-z0-9][a-z0-9._-]{1,63}$/, 'must be u:<userId> or g:<groupId>'),
  z.string().regex(/^g:[A-Za-z0-9_-]{22}$/, 'must be u:<userId> or g:<groupId>'),
]);

/** SPKI DER of an RSA-3072 public key is about 420 bytes. */
export const publicKeySpki = base64url(300, 1024);

export const kdfParams = z.strictObject({
  algorithm: z.literal('argon2id'),
  memoryKiB: z.number().int().min(1024).max(4 * 1024 * 1024),
  iterations: z.number().int().min(1).max(64),
  parallelism: z.number().int().min(1).max(16),
  salt: base64url(22, 22),
});

export const keyGeneration = z.number().int().min(1).max(1_000_000);

/**
 * A ciphertext digest (docs/versions.md, "Integrity"): SHA-256, base64url of 32 bytes. Canonical
 * only: 43 characters, the last one carrying 4 bits and two zero bits.
 */
export const ciphertextDigest = z.string().regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/, 'must be base64url of 32 bytes (43 characters)');

/** Opaque pagination cursor. */
export const cursor = base64url(1, 2048);
