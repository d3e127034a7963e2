/**
 * Generates the stream-envelope test vectors in this folder, deterministically.
 *
 *   npx tsx test/vectors/generate.ts
 *
 * Every random input (DEK, document id, header salt) comes from SHA-256 in counter mode
 * over a fixed label, and the salt reaches the encryptor through the fenced test seam
 * (shared/core/crypto/testSeams.ts), so a run reproduces the committed files byte for byte;
 * test/unit/crypto/vectors.test.ts checks that. Files are named by outcome: good_* decrypt
 * to the described plaintext, fail_* must fail with DecryptionFailed.
 * Format: docs/envelope-format.md, "Test vectors".
 */
import { createHash } from 'node:crypto';
import { readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { toBase64Url } from '../../shared/core/crypto/base64url.js';
import { concatBytes } from '../../shared/core/crypto/bytes.js';
import { CHUNK_SIZE, chunkOffset, ENCRYPTED_CHUNK_SIZE, HEADER_SIZE } from '../../shared/core/crypto/streamSizes.js';
import { UNSAFE_sealRawStreamForTests, type RawChunk } from '../../shared/core/crypto/testSeams.js';

export type PlaintextSpec = { pattern: 'counter'; length: number } | { base64url: string };

export type Vector = {
  description: string;
  dek: string;
  documentId: string;
  version: number;
  expected:
    | { plaintext: PlaintextSpec; plaintextLength: number; plaintextSha256: string }
    | { error: { code: 'DECRYPTION_FAILED'; message: 'Decryption failed.' } };
  ciphertext: string;
};

export const VECTOR_DIR = dirname(fileURLToPath(import.meta.url));

/** Deterministic "random" bytes: SHA-256("coffer/v1/test-vectors/<label>/<counter>") blocks. */
export function deterministicBytes(label: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 0, offset = 0; offset < length; counter++, offset += 32) {
    const block = createHash('sha256').update(`coffer/v1/test-vectors/${label}/${counter}`).digest();
    out.set(block.subarray(0, Math.min(32, length - offset)), offset);
  }
  return out;
}

/** The plaintext a spec describes. "counter": byte i is i mod 256. */
export function plaintextOf(spec: PlaintextSpec): Uint8Array {
  if ('base64url' in spec) return Uint8Array.from(Buffer.from(spec.base64url, 'base64url'));
  const out = new Uint8Array(spec.length);
  for (let i = 0; i < spec.length; i++) out[i] = i & 0xff;
  return out;
}

const FAIL = { error: { code: 'DECRYPTION_FAILED', message: 'Decryption failed.' } } as const;
const dek = deterministicBytes('dek', 32);
const otherDek = deterministicBytes('other-dek', 32);
const documentId = toBase64Url(deterministicBytes('document-id', 16));
const otherDocumentId = toBase64Url(deterministicBytes('other-document-id', 16));
const context = { documentId, version: 1 };

/** The chunks an honest encryptor makes of `plaintext`. */
function honestChunks(plaintext: Uint8Array): RawChunk[] {
  const chunks: RawChunk[] = [];
  for (let index = 0, offset = 0; index === 0 || offset < plaintext.length; index++, offset += CHUNK_SIZE) {
    chunks.push({ index, last: offset + CHUNK_SIZE >= plaintext.length, plaintext: plaintext.subarray(offset, offset + CHUNK_SIZE) });
  }
  return chunks;
}

async function seal(saltLabel: string, chunks: RawChunk[], ctx = context): Promise<Uint8Array> {
  return UNSAFE_sealRawStreamForTests(dek, ctx, deterministicBytes(`salt/${saltLabel}`, 32), chunks);
}

function good(description: string, spec: PlaintextSpec, ciphertext: Uint8Array, ctx = context): Vector {
  const plaintext = plaintextOf(spec);
  return {
    description,
    dek: toBase64Url(dek),
    documentId: ctx.documentId,
    version: ctx.version,
    expected: { plaintext: spec, plaintextLength: plaintext.length, plaintextSha256: createHash('sha256').update(plaintext).digest('hex') },
    ciphertext: toBase64Url(ciphertext),
  };
}

function fail(description: string, ciphertext: Uint8Array, overrides: Partial<Pick<Vector, 'dek' | 'documentId' | 'version'>> = {}): Vector {
  return { description, dek: toBase64Url(dek), documentId, version: 1, ...overrides, expected: FAIL, ciphertext: toBase64Url(ciphertext) };
}

function withByte(bytes: Uint8Array, index: number, value: (old: number) => number): Uint8Array {
  const out = bytes.slice();
  out[index] = value(out[index]!);
  return out;
}

export async function buildVectors(): Promise<Record<string, Vector>> {
  const hello: PlaintextSpec = { base64url: toBase64Url(new TextEncoder().encode('Hello, Coffer!\n')) };
  const fullChunk: PlaintextSpec = { pattern: 'counter', length: CHUNK_SIZE };
  const twoChunks: PlaintextSpec = { pattern: 'counter', length: CHUNK_SIZE + 1 };
  const maxVersion = { documentId, version: 0xffff_ffff };

  const empty = await seal('empty', honestChunks(new Uint8Array(0)));
  const one = await seal('one-chunk', honestChunks(plaintextOf(hello)));
  const full = await seal('full-chunk', honestChunks(plaintextOf(fullChunk)));
  const two = await seal('two-chunks', honestChunks(plaintextOf(twoChunks)));
  const versioned = await seal('max-version', honestChunks(plaintextOf(hello)), maxVersion);
  const unfinished = await seal('last-flag', [{ index: 0, last: false, plaintext: plaintextOf(hello) }]);
  const twoFull = await seal('reordered', honestChunks(plaintextOf({ pattern: 'counter', length: 2 * CHUNK_SIZE })));
  const reordered = concatBytes(
    twoFull.subarray(0, HEADER_SIZE),
    twoFull.subarray(chunkOffset(1), chunkOffset(1) + ENCRYPTED_CHUNK_SIZE),
    twoFull.subarray(chunkOffset(0), chunkOffset(0) + ENCRYPTED_CHUNK_SIZE),
  );

  return {
    good_empty: good('Empty plaintext: the header and one empty final chunk (a tag alone).', { base64url: '' }, empty),
    good_one_chunk: good('A short plaintext in one final chunk.', hello, one),
    good_full_chunk: good('Exactly 1 MiB: a single full-size chunk that carries the last flag.', fullChunk, full),
    good_two_chunks: good('1 MiB + 1: a full chunk, then a 1-byte final chunk.', twoChunks, two),
    good_max_version: good('Version 4294967295: the u32 version field of the AAD at its maximum.', hello, versioned, maxVersion),
    fail_empty: fail('No bytes at all.', new Uint8Array(0)),
    fail_header_short: fail('37 of the 38 header bytes.', one.subarray(0, HEADER_SIZE - 1)),
    fail_header_only: fail('A valid header and no chunk.', one.subarray(0, HEADER_SIZE)),
    fail_header_magic: fail('good_one_chunk with magic "XFR".', withByte(one, 0, () => 0x58)),
    fail_header_version: fail('good_one_chunk with format version 0x02.', withByte(one, 3, () => 0x02)),
    fail_header_chunk_size: fail('good_one_chunk with chunk size exponent 21.', withByte(one, 4, () => 21)),
    fail_header_flags: fail('good_one_chunk with flags 0x01.', withByte(one, 5, () => 0x01)),
    fail_header_salt: fail('good_one_chunk with one salt bit flipped.', withByte(one, 6, (b) => b ^ 1)),
    fail_body: fail('good_one_chunk with one ciphertext bit flipped.', withByte(one, HEADER_SIZE + 3, (b) => b ^ 1)),
    fail_tag: fail('good_one_chunk with one tag bit flipped.', withByte(one, one.length - 1, (b) => b ^ 1)),
    fail_wrong_key: fail('good_one_chunk decrypted with another DEK.', one, { dek: toBase64Url(otherDek) }),
    fail_wrong_docid: fail('good_one_chunk decrypted as another document.', one, { documentId: otherDocumentId }),
    fail_wrong_version: fail('good_one_chunk decrypted as version 2.', one, { version: 2 }),
    fail_last_flag: fail('One authentic chunk sealed without the last flag (as if more followed).', unfinished),
    fail_truncated: fail('good_two_chunks with its final chunk dropped.', two.subarray(0, chunkOffset(1))),
    fail_truncated_mid_chunk: fail('good_one_chunk cut 5 bytes short.', one.subarray(0, one.length - 5)),
    fail_reordered: fail('A 2 MiB stream (two full chunks) with the chunks swapped.', reordered),
    fail_trailing_data: fail('good_one_chunk followed by one zero byte.', concatBytes(one, new Uint8Array(1))),
  };
}

export function serialise(vector: Vector): string {
  return `${JSON.stringify(vector, null, 2)}\n`;
}

async function main(): Promise<void> {
  const vectors = await buildVectors();
  for (const file of readdirSync(VECTOR_DIR)) if (file.endsWith('.json')) unlinkSync(join(VECTOR_DIR, file));
  for (const [name, vector] of Object.entries(vectors)) writeFileSync(join(VECTOR_DIR, `${name}.json`), serialise(vector));
  console.log(`Wrote ${Object.keys(vectors).length} vectors to ${VECTOR_DIR}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
