import type { Deps } from '../config/Deps.js';
import { type DocumentMeta, type GrantItem, resolveDocumentAccess } from '../data/documents.js';
import { Forbidden } from '../errors/index.js';

/**
 * The caller may see the document and must own it: a visible document answers
 * 403 to a non-owner, an invisible one the same 404 as an unknown one.
 */
export async function requireOwner(deps: Deps, documentId: string, userId: string): Promise<{ meta: DocumentMeta; grant: GrantItem }> {
  const access = await resolveDocumentAccess(deps.db, documentId, userId);
  if (access.grant.role !== 'owner' || access.meta.ownerId !== userId) {
    throw new Forbidden('NOT_OWNER', 'Only the owner of this document can do this.');
  }
  return access;
}
