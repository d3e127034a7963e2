import type { NodeAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { activateDocument, type DocumentMeta } from '../../data/documents.js';
import { objectKey } from '../../data/keys.js';
import { Conflict } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import type { CompleteDocumentBody, DocumentSummary } from '../../../core/api/schemas/documents.js';
import { documentSummary } from './documentSummary.js';
import { finishUpload } from './finishUpload.js';
import { placeNewNode } from '../sharing/placeNewNode.js';

/**
 * A pending document's upload, completed: the object must exist with exactly the declared size;
 * then the grants go live (and the digest is kept with the version). The caller must still be
 * allowed to add to the folder, which is placed where it is now (it may have moved since create).
 */
export async function activateUploadedDocument(deps: Deps, caller: Caller, access: NodeAccess, body: CompleteDocumentBody): Promise<DocumentSummary> {
  const meta = access.node as unknown as DocumentMeta;
  if (meta.state !== 'pending') throw new Conflict('UPLOAD_ALREADY_COMPLETED', 'This upload was already completed.');
  const placement = await placeNewNode(deps, caller, {
    parentId: meta.parentId,
    parentWrap: meta.parentWrap,
    parentKeyGeneration: meta.parentKeyGeneration,
  });
  await finishUpload(deps, objectKey(meta.nodeId, meta.currentVersion), meta.upload, body.parts, meta.size);
  const now = new Date(deps.clock()).toISOString();
  await activateDocument(deps.db, meta, caller.userId, now, placement, body.digest);
  const own = meta.pendingGrants?.find((g) => g.userId === caller.userId);
  const active = { ...meta, state: 'active' as const, path: placement?.path ?? [] };
  return documentSummary(active, 'owner', own ? { sharedAt: now, wrappedKey: own.wrappedKey, keyGeneration: meta.keyGeneration } : undefined);
}
