import type { CofferClient } from '../../../../client/sdk/CofferClient.js';
import type { FetchLike } from '../../../../client/sdk/ApiClient.js';
import {
  encryptBytes,
  encryptMetadata,
  fromBase64Url,
  generateDataKey,
  importPublicKey,
  toBase64Url,
  wrapKey,
  wrapKeyUnderKey,
} from '../../../../shared/core/crypto/index.js';
import type { CreateDocumentResponse } from '../../../../shared/core/api/schemas/documents.js';

/**
 * Folders and documents inside them, made with the raw API and the shared crypto (what the
 * folders part of the SDK does), so the sharing tests do not depend on it.
 */
export interface RawFolder {
  folderId: string;
  key: Uint8Array;
}

function newId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

async function ownKey(client: CofferClient) {
  const session = (await client.session())!;
  return { session, publicKey: await importPublicKey(fromBase64Url(session.publicKeySpki)) };
}

/** POST /folders at the root: the folder key wrapped for the owner (kind 'folder', recipient u:<owner>). */
export async function createRawFolder(client: CofferClient, name: string): Promise<RawFolder> {
  const { session, publicKey } = await ownKey(client);
  const folderId = newId();
  const key = generateDataKey();
  await client.api.post('/folders', {
    folderId,
    encryptedName: await encryptMetadata(key, folderId, 'name', name),
    keyGeneration: 1,
    ownerWrappedKey: toBase64Url(await wrapKey(publicKey, key, { kind: 'folder', resourceId: folderId, generation: 1, recipientId: `u:${session.userId}` })),
    fingerprint: session.fingerprint,
  });
  return { folderId, key };
}

/** A document inside `folder`: its DEK wrapped for the owner and under the folder key (parentWrap). */
export async function uploadIntoFolder(
  client: CofferClient,
  fetchImpl: FetchLike,
  folder: RawFolder,
  plaintext: Uint8Array,
  name: string,
): Promise<string> {
  const { session, publicKey } = await ownKey(client);
  const documentId = newId();
  const dek = generateDataKey();
  const ciphertext = await encryptBytes(dek, { documentId, version: 1 }, plaintext);
  const created = await client.api.post<CreateDocumentResponse>('/documents', {
    documentId,
    size: ciphertext.length,
    keyGeneration: 1,
    encryptedName: await encryptMetadata(dek, documentId, 'name', name),
    grants: [
      {
        userId: session.userId,
        fingerprint: session.fingerprint,
        wrappedKey: toBase64Url(await wrapKey(publicKey, dek, { kind: 'dek', resourceId: documentId, generation: 1, recipientId: `u:${session.userId}` })),
      },
    ],
    parentId: folder.folderId,
    parentWrap: await wrapKeyUnderKey(folder.key, dek, {
      kind: 'folder-child',
      resourceId: documentId,
      generation: 1,
      parentId: folder.folderId,
      parentGeneration: 1,
    }),
    parentKeyGeneration: 1,
  });
  if (created.upload.kind !== 'single') throw new Error('uploadIntoFolder: keep the test document small');
  const put = await fetchImpl(created.upload.url, { method: 'PUT', headers: created.upload.headers, body: Buffer.from(ciphertext) });
  if (!put.ok) throw new Error(`PUT ${put.status}`);
  await client.api.post(`/documents/${documentId}/complete`, {});
  return documentId;
}
