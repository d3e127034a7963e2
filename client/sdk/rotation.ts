import { generateDataKey } from '../../shared/core/crypto/index.js';
import type { ClientContext } from './ClientContext.js';
import { nodeKey, placementIn } from './folders.js';
import { newGeneration, withDirectGrantees } from './granteeRewrap.js';
import type { GetNodeResponse } from '../../shared/core/api/schemas/sharing.js';
import { documentPath, nodePath } from './paths.js';
import { revoke, type RevokeResult } from './share.js';
import { retryConcurrentUpdates } from './retry.js';

export interface RotatedKey {
  documentId: string;
  /** The new key generation: every version from now on is encrypted under it. */
  keyGeneration: number;
  /** Share links the new key made stale: they open nothing any more; make new ones with `createLink`. */
  staleLinks: number;
}

/**
 * Starts a new key generation of a document (docs/versions.md, "rotate"): a fresh DEK wrapped for
 * exactly the document's direct grantees and yourself, the old DEK chained under it (current readers
 * still open every old version), the name encrypted again, and in a folder the new DEK under the
 * folder's current key. The server swaps the registry in one conditional transaction.
 * Nothing is re-encrypted here: see `rotate` in versions.ts for the content.
 */
export function rotateDocumentKey(ctx: ClientContext, documentId: string): Promise<RotatedKey> {
  return withDirectGrantees(ctx, documentId, (grantees) =>
    retryConcurrentUpdates(async () => {
      const opened = await nodeKey(ctx, documentId);
      const oldKey = opened.key;
      const newKey = generateDataKey();
      try {
        const generation = await newGeneration(
          ctx,
          { nodeId: documentId, kind: 'document', keyGeneration: opened.keyGeneration, encryptedName: opened.encryptedName },
          oldKey,
          newKey,
          grantees,
        );
        const placement = opened.parentId
          ? await placementIn(ctx, opened.parentId, { nodeId: documentId, key: newKey, keyGeneration: generation.keyGeneration })
          : undefined;
        const body = {
          ...generation,
          ...(placement ? { parentWrap: placement.parentWrap, parentKeyGeneration: placement.parentKeyGeneration } : {}),
        };
        return await ctx.api.post<RotatedKey>(`${documentPath(documentId)}/rotate`, body);
      } finally {
        newKey.fill(0);
        oldKey.fill(0);
      }
    }),
  );
}

/**
 * Revoke, then at once a new key generation for a document (docs/versions.md, "Revoke"). The server
 * marks the document `rotationDue` in the revoke's own transaction, so if the rotation cannot run
 * (you only left, or it failed) new versions are refused until a manager rotates.
 */
export async function revokeAndRotate(ctx: ClientContext, nodeId: string, principals: readonly string[]): Promise<RevokeResult> {
  const result = await revoke(ctx, nodeId, principals);
  const session = await ctx.keeper.current();
  const me = `u:${session.userId}`;
  if (result.revoked.every((p) => p === me)) return result; // nothing revoked, or you left: you cannot rotate
  const node = await ctx.api.get<GetNodeResponse>(nodePath(nodeId));
  if (node.kind !== 'document') return result;
  const rotated = await rotateDocumentKey(ctx, nodeId);
  return { ...result, keyGeneration: rotated.keyGeneration, staleLinks: rotated.staleLinks };
}
