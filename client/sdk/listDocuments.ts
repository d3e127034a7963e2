import { decryptMetadata, plaintextSize } from '../../shared/crypto/index.js';
import type { DocumentSummary, ListDocumentsResponse } from '../../shared/schemas/documents.js';
import { mapBounded } from './bounded.js';
import type { ClientContext } from './ClientContext.js';
import { NAME_FIELD, unwrapDocumentKey } from './dataKeys.js';

export interface DocumentEntry {
  documentId: string;
  /** Decrypted name; undefined when it could not be decrypted (see nameError). */
  name: string | undefined;
  nameError?: string;
  ownerId: string;
  role: DocumentSummary['role'];
  /** Plaintext size. */
  size: number;
  ciphertextSize: number;
  keyGeneration: number;
  version: number;
  createdAt: string;
  sharedAt: string;
}

export interface ListOptions {
  limit?: number;
  cursor?: string;
}

export interface DocumentPage {
  documents: DocumentEntry[];
  cursor?: string;
}

/** A listing may carry the caller's wrapped key; then no per-document GET is needed. */
type SummaryWithKey = DocumentSummary;

/** One page of GET /documents, names decrypted (one RSA unwrap per document, ~3 ms). */
export async function listPage(ctx: ClientContext, options: ListOptions = {}): Promise<DocumentPage> {
  const session = await ctx.keeper.current();
  const page = await ctx.api.get<ListDocumentsResponse>('/documents', {
    query: { limit: options.limit, cursor: options.cursor },
  });
  const privateKey = await ctx.privateKey();
  const documents = await mapBounded(page.documents as SummaryWithKey[], ctx.tuning.listConcurrency, async (summary) => {
    const entry: DocumentEntry = {
      documentId: summary.documentId,
      name: undefined,
      ownerId: summary.ownerId,
      role: summary.role,
      size: plaintextSize(summary.size),
      ciphertextSize: summary.size,
      keyGeneration: summary.keyGeneration,
      version: summary.version,
      createdAt: summary.createdAt,
      sharedAt: summary.sharedAt,
    };
    try {
      const wrapped = summary.wrappedKey;
      const dek = await unwrapDocumentKey(privateKey, wrapped, summary.documentId, summary.keyGeneration, session.userId);
      entry.name = await decryptMetadata(dek, summary.documentId, NAME_FIELD, summary.encryptedName);
      dek.fill(0);
    } catch (error) {
      // One unreadable entry must not hide the rest of the listing.
      entry.nameError = error instanceof Error && 'code' in error ? String(error.code) : 'DECRYPTION_FAILED';
    }
    return entry;
  });
  return page.cursor ? { documents, cursor: page.cursor } : { documents };
}

/** Every accessible document, page after page. */
export async function* listAll(ctx: ClientContext, pageSize = 100): AsyncGenerator<DocumentEntry, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await listPage(ctx, { limit: pageSize, ...(cursor && { cursor }) });
    yield* page.documents;
    cursor = page.cursor;
  } while (cursor);
}
