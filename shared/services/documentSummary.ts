import type { DocumentMeta, GrantItem } from '../data/documents.js';
import type { DocumentSummary } from '../schemas/documents.js';

/** What a reader sees of a document: ids, sizes and ciphertext only. */
export function documentSummary(meta: DocumentMeta, grant: Pick<GrantItem, 'role' | 'sharedAt' | 'wrappedKey'>): DocumentSummary {
  return {
    documentId: meta.nodeId,
    ownerId: meta.ownerId,
    role: grant.role,
    size: meta.size,
    encryptedName: meta.encryptedName,
    ...(meta.encryptedMetadata ? { encryptedMetadata: meta.encryptedMetadata } : {}),
    keyGeneration: meta.keyGeneration,
    version: meta.currentVersion,
    createdAt: meta.createdAt,
    sharedAt: grant.sharedAt,
    wrappedKey: grant.wrappedKey,
  };
}
