import { hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../../shared/core/crypto/base64url.js';
import { generateDataKey } from '../../../shared/core/crypto/dataKey.js';
import { decryptMetadata, encryptMetadata } from '../../../shared/core/crypto/metadata.js';
import { expectDecryptionFailed, expectValidationFailed, flipBit } from './support.js';

const DOC = 'AAECAwQFBgcICQoLDA0ODw';
const OTHER_DOC = 'EBESExQVFhcYGRobHB0eHw';
const dek = generateDataKey();

describe('encryptMetadata', () => {
  it('round-trips a Unicode file name through decryptMetadata', async () => {
    // Prepare
    const name = 'Quarterly report — Q3 📊.pdf';

    // Act
    const blob = await encryptMetadata(dek, DOC, 'name', name);

    // Assess
    expect(blob).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await decryptMetadata(dek, DOC, 'name', blob)).toBe(name);
  });

  it('round-trips an empty value', async () => {
    expect(await decryptMetadata(dek, DOC, 'note', await encryptMetadata(dek, DOC, 'note', ''))).toBe('');
  });

  it('follows the documented format, key schedule and AAD', async () => {
    // Prepare: derive the key and AAD independently.
    const blob = fromBase64Url(await encryptMetadata(dek, DOC, 'name', 'a.txt'));
    const key = await crypto.subtle.importKey(
      'raw',
      new Uint8Array(hkdfSync('sha256', dek, new Uint8Array(0), 'coffer/v1/metadata', 32)),
      'AES-GCM',
      false,
      ['decrypt'],
    );
    const aad = Buffer.concat([Buffer.from('coffer/v1/metadata\0'), Buffer.from([0, 22]), Buffer.from(DOC), Buffer.from([0, 4]), Buffer.from('name')]);

    // Act
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: blob.slice(1, 13), additionalData: aad }, key, blob.slice(13));

    // Assess
    expect(blob[0]).toBe(0x01);
    expect(new TextDecoder().decode(plain)).toBe('a.txt');
  });

  it('rejects a field name outside the allowed characters', async () => {
    await expectValidationFailed(encryptMetadata(dek, DOC, 'na me', 'x'), /metadata field must match/);
  });

  it('rejects a DEK that is not 32 bytes', async () => {
    await expectValidationFailed(encryptMetadata(new Uint8Array(16), DOC, 'name', 'x'), /exactly 32 bytes/);
  });
});

describe('decryptMetadata', () => {
  it('rejects a value moved to another field', async () => {
    // Prepare
    const blob = await encryptMetadata(dek, DOC, 'name', 'secret.txt');

    // Act / Assess
    await expectDecryptionFailed(decryptMetadata(dek, DOC, 'description', blob));
  });

  it('rejects a value moved to another document', async () => {
    const blob = await encryptMetadata(dek, DOC, 'name', 'secret.txt');
    await expectDecryptionFailed(decryptMetadata(dek, OTHER_DOC, 'name', blob));
  });

  it('rejects the wrong DEK', async () => {
    const blob = await encryptMetadata(dek, DOC, 'name', 'secret.txt');
    await expectDecryptionFailed(decryptMetadata(generateDataKey(), DOC, 'name', blob));
  });

  it.each([
    ['the version byte', 0],
    ['the nonce', 3],
    ['the ciphertext', 14],
    ['the tag', -1],
  ])('rejects a tampered %s', async (_name, index) => {
    const bytes = fromBase64Url(await encryptMetadata(dek, DOC, 'name', 'secret.txt'));
    const tampered = toBase64Url(flipBit(bytes, index < 0 ? bytes.length + index : index));
    await expectDecryptionFailed(decryptMetadata(dek, DOC, 'name', tampered));
  });

  it.each([
    ['a truncated blob', (b: string) => toBase64Url(fromBase64Url(b).subarray(0, 28))],
    ['invalid base64url', (b: string) => `${b.slice(0, -1)}=`],
    ['an empty string', () => ''],
  ])('rejects %s', async (_name, mangle) => {
    const blob = await encryptMetadata(dek, DOC, 'name', 'secret.txt');
    await expectDecryptionFailed(decryptMetadata(dek, DOC, 'name', mangle(blob)));
  });
});
