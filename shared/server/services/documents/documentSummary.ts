import type { GrantItem, NodeMeta } from '../../data/nodes.js';
import type { Role } from '../../../core/permissions/levels.js';
import type { DocumentSummary } from '../../../core/api/schemas/documents.js';

/** What a reader sees of a node: ids, sizes and ciphertext only. */
export function documentSummary(
  meta: NodeMeta & Record<string, unknown>,
  role: Role,
  grant?: Pick<GrantItem, 'sharedAt' | 'wrappedKey' | 'keyGeneration'> & Partial<Pick<GrantItem, 'principalId' | 'principalKeyGeneration'>>,
): DocumentSummary {
  return {
    documentId: meta.nodeId,
    kind: meta.kind,
    ownerId: meta.ownerId,
    role,
    ...(meta.parentId ? { parentId: meta.parentId } : {}),
    size: (meta.size as number | undefined) ?? 0,
    encryptedName: meta.encryptedName,
    ...(typeof meta.encryptedMetadata === 'string' ? { encryptedMetadata: meta.encryptedMetadata } : {}),
    keyGeneration: meta.keyGeneration,
    version: (meta.currentVersion as number | undefined) ?? 0,
    createdAt: meta.createdAt,
    sharedAt: grant?.sharedAt ?? meta.createdAt,
    ...(grant && grant.keyGeneration === meta.keyGeneration ? { wrappedKey: grant.wrappedKey, ...wrappedFor(grant) } : {}),
  };
}

/** A group grant's key is wrapped for the group (at its key generation then), not for the caller. */
function wrappedFor(grant: Partial<Pick<GrantItem, 'principalId' | 'principalKeyGeneration'>>): Pick<DocumentSummary, 'wrappedFor' | 'principalKeyGeneration'> {
  if (!grant.principalId?.startsWith('g:') || grant.principalKeyGeneration === undefined) return {};
  return { wrappedFor: grant.principalId, principalKeyGeneration: grant.principalKeyGeneration };
}
