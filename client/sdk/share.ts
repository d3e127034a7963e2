import {
  MAX_GRANTS_PER_REQUEST,
  type GetDocumentResponse,
  type GrantInput,
  type RevokeDocumentResponse,
  type ShareDocumentBody,
  type ShareDocumentResponse,
} from '../../shared/schemas/documents.js';
import type { ClientContext } from './ClientContext.js';
import { unwrapDocumentKey, wrapForRecipients } from './dataKeys.js';
import { documentPath } from './paths.js';

export interface ShareResult extends ShareDocumentResponse {
  /** Asked for, but they already hold a key: nothing was sent for them. */
  alreadyShared: string[];
}

export interface RevokeResult extends RevokeDocumentResponse {
  /** Asked for, but they held no key. */
  notShared: string[];
}

export interface ShareOptions {
  /** Users whose changed public key the caller has verified (see KeyChangedError). */
  acceptNewKeyFor?: readonly string[];
}

/**
 * Gives users a key to a document: unwrap our own copy of the DEK, wrap it for each
 * pin-checked recipient, POST /documents/{id}/share. The server allows it to the owner
 * only. Users who already hold a key are skipped (the server refuses the whole request
 * otherwise), so sharing is idempotent.
 */
export async function share(
  ctx: ClientContext,
  documentId: string,
  userIds: readonly string[],
  options: ShareOptions = {},
): Promise<ShareResult> {
  const session = await ctx.keeper.current();
  const doc = await ctx.api.get<GetDocumentResponse>(documentPath(documentId));
  const holders = new Set([session.userId, ...(doc.grants ?? []).map((g) => g.userId)]);
  const asked = [...new Set(userIds)];
  const alreadyShared = asked.filter((id) => holders.has(id) && id !== session.userId);
  const ids = asked.filter((id) => !holders.has(id));
  if (ids.length === 0) return { documentId, sharedWith: [], alreadyShared };
  const recipients = await ctx.recipients.resolve(ids, { acceptNewKeyFor: options.acceptNewKeyFor ?? [] });
  const dek = await unwrapDocumentKey(await ctx.privateKey(), doc.wrappedKey, documentId, doc.keyGeneration, session.userId);
  try {
    const grants = await wrapForRecipients(dek, documentId, doc.keyGeneration, recipients);
    return { ...(await shareDocumentKey(ctx, documentId, doc.keyGeneration, grants)), alreadyShared };
  } finally {
    dek.fill(0);
  }
}

/** POST /documents/{id}/share in batches the server accepts. */
export async function shareDocumentKey(
  ctx: ClientContext,
  documentId: string,
  keyGeneration: number,
  grants: readonly GrantInput[],
): Promise<ShareDocumentResponse> {
  const sharedWith: string[] = [];
  for (let i = 0; i < grants.length; i += MAX_GRANTS_PER_REQUEST) {
    const body: ShareDocumentBody = { keyGeneration, grants: grants.slice(i, i + MAX_GRANTS_PER_REQUEST) };
    const res = await ctx.api.post<ShareDocumentResponse>(`${documentPath(documentId)}/share`, body);
    sharedWith.push(...res.sharedWith);
  }
  return { documentId, sharedWith };
}

/**
 * POST /documents/{id}/revoke in batches, skipping users who hold no key (the server
 * refuses the whole request otherwise). Revocation removes the grant: it does not
 * re-encrypt the document, so a revoked user who kept the DEK or a copy still has them.
 */
export async function revoke(ctx: ClientContext, documentId: string, userIds: readonly string[]): Promise<RevokeResult> {
  const asked = [...new Set(userIds)];
  const doc = await ctx.api.get<GetDocumentResponse>(documentPath(documentId));
  // Only the owner sees the grants; anyone else gets the server's refusal below.
  const holders = doc.grants ? new Set(doc.grants.map((g) => g.userId)) : undefined;
  const notShared = holders ? asked.filter((id) => !holders.has(id)) : [];
  const ids = holders ? asked.filter((id) => holders.has(id)) : asked;
  const revoked: string[] = [];
  for (let i = 0; i < ids.length; i += MAX_GRANTS_PER_REQUEST) {
    const res = await ctx.api.post<RevokeDocumentResponse>(`${documentPath(documentId)}/revoke`, {
      userIds: ids.slice(i, i + MAX_GRANTS_PER_REQUEST),
    });
    revoked.push(...res.revoked);
  }
  return { documentId, revoked, notShared };
}
