import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url } from '../../../shared/core/crypto/base64url.js';
import { decryptStream } from '../../../shared/core/crypto/decryptStream.js';
import { decryptBytes } from '../../../shared/core/crypto/streamBytes.js';
import { HEADER_SIZE } from '../../../shared/core/crypto/streamHeader.js';
import { UNSAFE_encryptStreamWithSaltForTests } from '../../../shared/core/crypto/testSeams.js';
import { buildVectors, plaintextOf, serialise, VECTOR_DIR, type Vector } from '../../vectors/generate.js';
import { expectDecryptionFailed, piecesOf, readAll } from './support.js';

const files = readdirSync(VECTOR_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort();
const load = (file: string): Vector => JSON.parse(readFileSync(join(VECTOR_DIR, file), 'utf8')) as Vector;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('test vectors', () => {
  let generated: Record<string, Vector>;

  beforeAll(async () => {
    generated = await buildVectors();
  });

  it('are named by outcome and include the required cases', () => {
    for (const file of files) expect(file).toMatch(/^(good|fail)_[a-z0-9_]+\.json$/);
    for (const required of ['good_empty', 'good_one_chunk', 'good_two_chunks', 'fail_header_magic', 'fail_truncated', 'fail_reordered', 'fail_wrong_docid', 'fail_last_flag']) {
      expect(files).toContain(`${required}.json`);
    }
  });

  it('match what generate.ts produces today (no drift)', () => {
    expect(files).toEqual(Object.keys(generated).map((name) => `${name}.json`).sort());
    for (const [name, vector] of Object.entries(generated)) {
      expect(readFileSync(join(VECTOR_DIR, `${name}.json`), 'utf8') === serialise(vector), `${name}.json is stale: run npx tsx test/vectors/generate.ts`).toBe(true);
    }
  });
});

describe.each(files.filter((file) => file.startsWith('good_')))('decryptBytes with %s', (file) => {
  it('decrypts to the expected plaintext, in one piece and in odd pieces', async () => {
    // Prepare
    const vector = load(file);
    if (!('plaintext' in vector.expected)) throw new Error(`${file} has no expected plaintext`);
    const dek = fromBase64Url(vector.dek);
    const ctx = { documentId: vector.documentId, version: vector.version };
    const ciphertext = fromBase64Url(vector.ciphertext);

    // Act
    const whole = await decryptBytes(dek, ctx, ciphertext);
    const pieces = await readAll(piecesOf(ciphertext, [3, 65521]).pipeThrough(decryptStream(dek, ctx)));

    // Assess
    expect(whole).toHaveLength(vector.expected.plaintextLength);
    expect(sha256(whole)).toBe(vector.expected.plaintextSha256);
    expect(sha256(plaintextOf(vector.expected.plaintext))).toBe(vector.expected.plaintextSha256);
    expect(sha256(pieces)).toBe(vector.expected.plaintextSha256);
  });

  it('is reproduced exactly by encryptStream given the header salt', async () => {
    // Prepare
    const vector = load(file);
    if (!('plaintext' in vector.expected)) throw new Error(`${file} has no expected plaintext`);
    const ciphertext = fromBase64Url(vector.ciphertext);
    const salt = ciphertext.slice(6, HEADER_SIZE);

    // Act
    const encryptor = UNSAFE_encryptStreamWithSaltForTests(fromBase64Url(vector.dek), { documentId: vector.documentId, version: vector.version }, salt);
    const again = await readAll(piecesOf(plaintextOf(vector.expected.plaintext), [100_003]).pipeThrough(encryptor));

    // Assess
    expect(sha256(again)).toBe(sha256(ciphertext));
  });
});

describe.each(files.filter((file) => file.startsWith('fail_')))('decryptBytes with %s', (file) => {
  it('fails with DecryptionFailed, whole and streamed', async () => {
    // Prepare
    const vector = load(file);
    const dek = fromBase64Url(vector.dek);
    const ctx = { documentId: vector.documentId, version: vector.version };
    const ciphertext = fromBase64Url(vector.ciphertext);

    // Act / Assess
    expect(vector.expected).toEqual({ error: { code: 'DECRYPTION_FAILED', message: 'Decryption failed.' } });
    await expectDecryptionFailed(decryptBytes(dek, ctx, ciphertext));
    await expectDecryptionFailed(readAll(piecesOf(ciphertext, [5, 65536]).pipeThrough(decryptStream(dek, ctx))));
  });
});
