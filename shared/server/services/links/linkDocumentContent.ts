import type { Deps } from '../../config/Deps.js';
import { objectKey } from '../../data/keys.js';
import type { NodeMeta } from '../../data/nodes.js';
import { getVersion } from '../../data/versions.js';
import { keyChainDown } from '../versions/documentView.js';

export interface LinkDocumentContent {
  url: string;
  /** The generation the current version is encrypted under (older than the key's after a key-only rotation). */
  versionKeyGeneration: number;
  /** The document's key chain from its current generation down to the version's (docs/versions.md). */
  keyChain: Record<string, string>;
  digest?: string;
}

/**
 * What a link gives for a document: a presigned GET (at most `ttlSeconds`) of its current version,
 * and how to check and open that version: its digest, its key generation and the chain down to it.
 */
export async function linkDocumentContent(deps: Deps, node: NodeMeta & Record<string, unknown>, ttlSeconds: number): Promise<LinkDocumentContent> {
  const version = node.currentVersion as number;
  const [item, url] = await Promise.all([
    getVersion(deps.db, node.nodeId, version),
    deps.objects.presignGet(objectKey(node.nodeId, version), ttlSeconds),
  ]);
  const generation = item?.keyGeneration ?? node.keyGeneration;
  return {
    url,
    versionKeyGeneration: generation,
    keyChain: keyChainDown(node.keyChain, node.keyGeneration, generation),
    ...(item?.digest ? { digest: item.digest } : {}),
  };
}
