import { toBase64Url, wrapKey } from '../../shared/core/crypto/index.js';
import type { GrantInput } from '../../shared/core/api/schemas/documents.js';
import { nodeKeyLabel, type NodeKind } from './nodeKeys.js';
import type { Recipient } from './Recipients.js';

/** The metadata field holding a node's name (documents and folders alike). */
export const NAME_FIELD = 'name';

/** The key-wrap label of a document key: binds document, key generation and recipient (a user's principal id, `u:<id>`). */
export function dekLabel(documentId: string, generation: number, userId: string) {
  return nodeKeyLabel('document', documentId, generation, `u:${userId}`);
}

/** Wraps a document key for each (pin-checked) recipient: the grants of POST /documents. */
export function wrapForRecipients(
  dek: Uint8Array,
  documentId: string,
  generation: number,
  recipients: readonly Recipient[],
): Promise<GrantInput[]> {
  return Promise.all(
    recipients.map(async (r) => ({
      userId: r.userId,
      fingerprint: r.fingerprint,
      wrappedKey: toBase64Url(await wrapKey(r.publicKey, dek, dekLabel(documentId, generation, r.userId))),
    })),
  );
}

/**
 * A node key (a document's DEK or a folder key) wrapped for one principal's public key:
 * the label binds the node, its key generation and the principal id (`u:<id>` or `g:<id>`).
 */
export async function wrapNodeKey(
  publicKey: CryptoKey,
  nodeKey: Uint8Array,
  node: { kind: NodeKind; nodeId: string; keyGeneration: number },
  principalId: string,
): Promise<string> {
  return toBase64Url(await wrapKey(publicKey, nodeKey, nodeKeyLabel(node.kind, node.nodeId, node.keyGeneration, principalId)));
}
