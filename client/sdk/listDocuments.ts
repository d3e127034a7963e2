import { decryptMetadata, fromBase64Url, plaintextSize, unwrapKey } from '../../shared/core/crypto/index.js';
import type { AccessSourceView, DocumentSummary, ListDocumentsResponse } from '../../shared/core/api/schemas/documents.js';
import type { GetNodeResponse } from '../../shared/core/api/schemas/sharing.js';
import { mapBounded } from './bounded.js';
import type { ClientContext } from './ClientContext.js';
import type { GroupKeyring } from './GroupKeyring.js';
import { NAME_FIELD } from './dataKeys.js';
import { nodeKeyLabel, openKeyPath } from './nodeKeys.js';
import { nodePath } from './paths.js';

export interface DocumentEntry {
  /** The node id (documents and folders share one id space). */
  documentId: string;
  kind: DocumentSummary['kind'];
  /** Decrypted name; undefined when it could not be decrypted (see nameError). */
  name: string | undefined;
  nameError?: string;
  ownerId: string;
  role: DocumentSummary['role'];
  parentId?: string;
  /** Plaintext size (0 for a folder). */
  size: number;
  ciphertextSize: number;
  keyGeneration: number;
  /** Content version (0 for a folder). */
  version: number;
  createdAt: string;
  sharedAt: string;
  /** Where the access comes from: every way the caller reaches it (the strongest gives `role`). */
  sources: DocumentSource[];
}

/**
 * One way to reach a listed node: `direct` (a grant to the caller), `group` (to a group the caller
 * is in, nested too: `groupName` from the caller's group list), or `folder` (a grant to the caller
 * or a group on the ancestor folder `folderId`, which lists the node among its contents).
 */
export interface DocumentSource {
  kind: 'direct' | 'group' | 'folder';
  principalId: string;
  role: DocumentSummary['role'];
  groupId?: string;
  groupName?: string;
  folderId?: string;
  expiresAt?: string;
}

export interface ListOptions {
  limit?: number;
  cursor?: string;
}

export interface DocumentPage {
  documents: DocumentEntry[];
  cursor?: string;
}

/**
 * One page of GET /documents ("mine and shared with me": documents and folders), names
 * decrypted here. An entry carrying the caller's wrapped key costs one RSA unwrap (~3 ms);
 * one without it (the grant is for an older key generation) costs a GET /nodes/{id} for its
 * key path, at most `tuning.listConcurrency` at once.
 */
export async function listPage(ctx: ClientContext, options: ListOptions = {}): Promise<DocumentPage> {
  const session = await ctx.keeper.current();
  const page = await ctx.api.get<ListDocumentsResponse>('/documents', {
    query: { limit: options.limit, cursor: options.cursor },
  });
  const me = `u:${session.userId}`;
  // Group names and keys: one GET /groups per page, only when a group reaches something on it.
  const needsGroups = page.documents.some((d) => d.wrappedFor !== undefined || d.sources?.some((s) => s.principalId.startsWith('g:')));
  const keyring = needsGroups && ctx.groupKeys ? ((await ctx.groupKeys()) as GroupKeyring) : undefined;
  const documents = await mapBounded(page.documents, ctx.tuning.listConcurrency, async (summary) => {
    const kind = summary.kind ?? 'document';
    const entry: DocumentEntry = {
      documentId: summary.documentId,
      kind,
      name: undefined,
      ownerId: summary.ownerId,
      role: summary.role,
      ...(summary.parentId !== undefined && { parentId: summary.parentId }),
      size: kind === 'folder' ? 0 : plaintextSize(summary.size),
      ciphertextSize: summary.size,
      keyGeneration: summary.keyGeneration,
      version: summary.version,
      createdAt: summary.createdAt,
      sharedAt: summary.sharedAt,
      sources: (summary.sources ?? []).map((source) => sourceOf(source, me, keyring)),
    };
    try {
      const key = await nodeKeyOf(ctx, summary, kind, me, keyring);
      try {
        // Folders' names are encrypted under the folder key exactly as documents' under the DEK.
        entry.name = await decryptMetadata(key, summary.documentId, NAME_FIELD, summary.encryptedName);
      } finally {
        key.fill(0);
      }
    } catch (error) {
      // One unreadable entry must not hide the rest of the listing.
      entry.nameError = error instanceof Error && 'code' in error ? String(error.code) : 'DECRYPTION_FAILED';
    }
    return entry;
  });
  return page.cursor ? { documents, cursor: page.cursor } : { documents };
}

async function nodeKeyOf(
  ctx: ClientContext,
  summary: DocumentSummary,
  kind: DocumentSummary['kind'],
  me: string,
  keyring: GroupKeyring | undefined,
): Promise<Uint8Array> {
  if (summary.wrappedKey !== undefined && summary.wrappedFor === undefined) {
    const label = nodeKeyLabel(kind, summary.documentId, summary.keyGeneration, me);
    return unwrapKey(await ctx.privateKey(), fromBase64Url(summary.wrappedKey), label);
  }
  const groupId = summary.wrappedFor?.startsWith('g:') ? summary.wrappedFor.slice(2) : undefined;
  if (summary.wrappedKey !== undefined && groupId && keyring?.has(groupId) && summary.principalKeyGeneration !== undefined) {
    // Wrapped for a group the caller is in: opened with the group's private key of that generation.
    const label = nodeKeyLabel(kind, summary.documentId, summary.keyGeneration, summary.wrappedFor!);
    return unwrapKey(await keyring.privateKeyFor(groupId, summary.principalKeyGeneration), fromBase64Url(summary.wrappedKey), label);
  }
  const node = await ctx.api.get<GetNodeResponse>(nodePath(summary.documentId));
  return openKeyPath(ctx, { nodeId: summary.documentId, kind }, node.keyPath);
}

function sourceOf(source: AccessSourceView, me: string, keyring: GroupKeyring | undefined): DocumentSource {
  const groupId = source.principalId.startsWith('g:') ? source.principalId.slice(2) : undefined;
  const groupName = groupId && keyring?.has(groupId) ? keyring.entry(groupId).name : undefined;
  return {
    kind: source.folderId !== undefined ? 'folder' : source.principalId === me ? 'direct' : 'group',
    principalId: source.principalId,
    role: source.role,
    ...(groupId !== undefined && { groupId }),
    ...(groupName !== undefined && { groupName }),
    ...(source.folderId !== undefined && { folderId: source.folderId }),
    ...(source.expiresAt !== undefined && { expiresAt: source.expiresAt }),
  };
}

/** Every accessible document and folder, page after page. */
export async function* listAll(ctx: ClientContext, pageSize = 100): AsyncGenerator<DocumentEntry, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await listPage(ctx, { limit: pageSize, ...(cursor && { cursor }) });
    yield* page.documents;
    cursor = page.cursor;
  } while (cursor);
}
