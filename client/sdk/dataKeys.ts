import { fromBase64Url, toBase64Url, unwrapKey, wrapKey } from '../../shared/crypto/index.js';
import type { GrantInput } from '../../shared/schemas/documents.js';
import type { Recipient } from './Recipients.js';

/** The metadata field holding a document's file name. */
export const NAME_FIELD = 'name';

/** The key-wrap label of a document key: binds document, key generation and recipient. */
export function dekLabel(documentId: string, generation: number, recipientId: string) {
  return { kind: 'dek', resourceId: documentId, generation, recipientId } as const;
}

/** Wraps a document key for each (pin-checked) recipient: the grants of POST /documents and /share. */
export function wrapForRecipients(
  dek: Uint8Array,
  documentId: string,
  generation: number,
  recipients: readonly Recipient[],
): Promise<GrantInput[]> {
  return Promise.all(
    recipients.map(async (r) => ({
      userId: r.userId,
      fingerprint: r.fingerprint,
      wrappedKey: toBase64Url(await wrapKey(r.publicKey, dek, dekLabel(documentId, generation, r.userId))),
    })),
  );
}

/** The caller's document key; throws DecryptionFailed if it was wrapped for another document, generation or user. */
export function unwrapDocumentKey(
  privateKey: CryptoKey,
  wrappedKey: string,
  documentId: string,
  generation: number,
  userId: string,
): Promise<Uint8Array> {
  return unwrapKey(privateKey, fromBase64Url(wrappedKey), dekLabel(documentId, generation, userId));
}
