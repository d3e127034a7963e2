import { createPendingDocument, DEFAULT_SETTINGS, type DocumentMeta } from '../../shared/data/documents.js';
import { objectKey } from '../../shared/data/keys.js';
import { ValidationFailed } from '../../shared/errors/index.js';
import { operation } from '../../shared/http/Operation.js';
import { createDocumentBody, type UploadInstructions } from '../../shared/schemas/documents.js';
import { placeNewNode } from '../../shared/services/placement.js';
import { checkRecipients } from '../../shared/services/recipients.js';

const MIB = 1024 * 1024;
const MAX_PARTS = 10_000;

/**
 * Create: a pending document with the owner's and recipients' wrapped DEKs, and
 * where to PUT the ciphertext. The grants go live when the upload completes.
 */
export const createDocument = operation({
  body: createDocumentBody,
  async run({ body, caller, deps }) {
    if (!body.grants.some((g) => g.userId === caller.userId)) {
      throw new ValidationFailed('grants must include a key wrapped for yourself, the owner.');
    }
    const [placement] = await Promise.all([placeNewNode(deps, caller, body), checkRecipients(deps, body.grants)]);
    const now = deps.clock();
    const key = objectKey(body.documentId, 1);
    const { settings, objects } = deps;
    const expiresAt = new Date(now + settings.uploadUrlTtlSeconds * 1000).toISOString();
    const multipart = body.size > settings.multipartThreshold;
    // S3 allows 10,000 parts: grow the part size (in whole MiB) for very large objects.
    const partSize = Math.max(settings.partSize, Math.ceil(body.size / MAX_PARTS / MIB) * MIB);
    const partCount = Math.ceil(body.size / partSize);
    const uploadId = multipart ? await objects.createMultipartUpload(key) : undefined;
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
      upload: uploadId ? { kind: 'multipart', uploadId, partSize, partCount } : { kind: 'single' },
      abandonAt: new Date(now + settings.abandonAfterSeconds * 1000).toISOString(),
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
      }, placement);
    } catch (error) {
      if (uploadId) await objects.abortMultipartUpload(key, uploadId);
      throw error;
    }
    let upload: UploadInstructions;
    if (uploadId) {
      const parts = await Promise.all(
        Array.from({ length: partCount }, async (_, i) => ({
          partNumber: i + 1,
          url: await objects.presignUploadPart(key, uploadId, i + 1, settings.uploadUrlTtlSeconds),
        })),
      );
      upload = { kind: 'multipart', uploadId, partSize, parts, expiresAt };
    } else {
      const put = await objects.presignPut(key, settings.uploadUrlTtlSeconds);
      upload = { kind: 'single', url: put.url, method: 'PUT', headers: put.headers, expiresAt };
    }
    return { status: 201, body: { documentId: body.documentId, upload } };
  },
});
