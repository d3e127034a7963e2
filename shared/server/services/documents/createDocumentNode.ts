import type { Deps } from '../../config/Deps.js';
import { createPendingDocument, DEFAULT_SETTINGS, type DocumentMeta } from '../../data/documents.js';
import { objectKey } from '../../data/keys.js';
import { ValidationFailed } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import type { CreateDocumentBody, CreateDocumentResponse } from '../../../core/api/schemas/documents.js';
import { placeNewNode } from '../sharing/placeNewNode.js';
import { planUpload } from './planUpload.js';
import { checkRecipients } from '../sharing/recipients.js';

/**
 * A pending document with the owner's and recipients' wrapped DEKs, and where to PUT the
 * ciphertext. The grants go live when the upload completes; an upload started for a document
 * that could not be created is aborted.
 */
export async function createDocumentNode(deps: Deps, caller: Caller, body: CreateDocumentBody): Promise<CreateDocumentResponse> {
  if (!body.grants.some((g) => g.userId === caller.userId)) {
    throw new ValidationFailed('grants must include a key wrapped for yourself, the owner.');
  }
  const [placement] = await Promise.all([placeNewNode(deps, caller, body), checkRecipients(deps, body.grants)]);
  const now = deps.clock();
  const key = objectKey(body.documentId, 1);
  const upload = await planUpload(deps, key, body.size);
  const meta: DocumentMeta = {
    nodeId: body.documentId,
    kind: 'document',
    ownerId: caller.userId,
    state: 'pending',
    ...(placement
      ? { parentId: placement.parentId, parentWrap: body.parentWrap!, parentKeyGeneration: body.parentKeyGeneration! }
      : {}),
    path: placement?.path ?? [],
    acl: {},
    settings: DEFAULT_SETTINGS,
    rev: 1,
    size: body.size,
    encryptedName: body.encryptedName,
    ...(body.encryptedMetadata ? { encryptedMetadata: body.encryptedMetadata } : {}),
    keyGeneration: body.keyGeneration,
    currentVersion: 1,
    createdAt: new Date(now).toISOString(),
    updatedAt: new Date(now).toISOString(),
    pendingGrants: body.grants.map((g) => ({
      userId: g.userId,
      wrappedKey: g.wrappedKey,
      role: g.userId === caller.userId ? 'owner' : 'viewer',
    })),
    upload: upload.record,
    abandonAt: new Date(now + deps.settings.abandonAfterSeconds * 1000).toISOString(),
  };
  try {
    await createPendingDocument(deps.db, meta, {
      nodeId: body.documentId,
      version: 1,
      size: body.size,
      objectKey: key,
      keyGeneration: body.keyGeneration,
      createdBy: caller.userId,
      createdAt: meta.createdAt,
      // Pending with its document: the document's own expiry entry covers its abandonment.
      state: 'pending',
    }, placement);
  } catch (error) {
    await upload.abort();
    throw error;
  }
  return { documentId: body.documentId, upload: await upload.instructions() };
}
