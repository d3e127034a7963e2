import { buildKeyPath } from '../../access/keyPath.js';
import type { NodeAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { objectKey } from '../../data/keys.js';
import { getVersion, isActiveVersion, versionNotFound } from '../../data/versions.js';
import { capabilitiesOf } from '../../../core/permissions/levels.js';
import type { GetDocumentResponse } from '../../../core/api/schemas/documents.js';
import { documentSummary } from '../documents/documentSummary.js';

/** The key chain entries from `current - 1` down to `generation`: how the current key opens an older one. */
export function keyChainDown(chain: Record<string, string> | undefined, current: number, generation: number): Record<string, string> {
  const entries: Record<string, string> = {};
  for (let g = generation; g < current; g++) {
    const wrap = chain?.[String(g)];
    if (wrap) entries[String(g)] = wrap;
  }
  return entries;
}

/**
 * How the caller reads one version of a document (`download`, checked by the caller): the
 * summary with that version's size, generation and digest, the key path to the current key, the
 * chain down to the version's key, and a short-lived presigned GET. The current version when
 * `version` is absent; otherwise only an active version (else 404 VERSION_NOT_FOUND).
 */
export async function documentView(deps: Deps, access: NodeAccess, version?: number): Promise<GetDocumentResponse> {
  const { node } = access;
  const currentVersion = node.currentVersion as number;
  const number = version ?? currentVersion;
  const ttl = deps.settings.downloadUrlTtlSeconds;
  const [item, keyPath] = await Promise.all([getVersion(deps.db, node.nodeId, number), buildKeyPath(deps, access)]);
  if (version !== undefined && (!item || !isActiveVersion(item))) throw versionNotFound();
  const generation = item?.keyGeneration ?? node.keyGeneration;
  const url = await deps.objects.presignGet(item?.objectKey ?? objectKey(node.nodeId, number), ttl);
  const { wrappedKey, ...summary } = documentSummary(node, access.role, access.ownGrant);
  return {
    ...summary,
    // The caller's own wrap is of the current key: only the current generation's versions show it.
    ...(wrappedKey && generation === node.keyGeneration ? { wrappedKey } : {}),
    version: number,
    size: item?.size ?? summary.size,
    keyGeneration: generation,
    ...(item?.digest ? { digest: item.digest } : {}),
    keyChain: keyChainDown(node.keyChain, node.keyGeneration, generation),
    capabilities: capabilitiesOf(access.role, { kind: access.caller.kind, editorsCanShare: node.settings?.editorsCanShare ?? true }),
    keyPath,
    download: { url, expiresAt: new Date(deps.clock() + ttl * 1000).toISOString() },
  };
}
