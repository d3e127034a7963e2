import { decryptMetadata, encryptMetadata, wrapKeyUnderKey } from '../../shared/core/crypto/index.js';
import type { ClientContext } from './ClientContext.js';
import { NAME_FIELD, wrapNodeKey } from './dataKeys.js';
import type { NodeKind } from './nodeKeys.js';
import { permissions } from './permissions.js';
import { isApiError } from './retry.js';

/** A node key wrapped for one direct grantee, as folder limit and document rotation send it. */
export interface GranteeWrap {
  principalId: string;
  wrappedKey: string;
  fingerprint: string;
  principalKeyGeneration?: number;
}

/** What a new key generation sends besides the grants: the old key chained under the new one, and the name again. */
export interface NewGeneration {
  keyGeneration: number;
  chainWrap: string;
  encryptedName: string;
  grants: GranteeWrap[];
}

/** Most attempts when the node's direct grantees change under the request. */
const REWRAP_ATTEMPTS = 3;

/**
 * Runs `attempt` with the node's direct grantees (and yourself), retrying with the set the server
 * names when it answers GRANTEES_CHANGED (someone shared or revoked in between).
 */
export async function withDirectGrantees<T>(ctx: ClientContext, nodeId: string, attempt: (grantees: string[]) => Promise<T>): Promise<T> {
  const session = await ctx.keeper.current();
  const me = `u:${session.userId}`;
  const listed = await permissions(ctx, nodeId);
  let grantees = new Set([me, ...listed.entries.filter((e) => e.source === 'direct').map((e) => e.principalId)]);
  for (let n = 1; ; n++) {
    try {
      return await attempt([...grantees]);
    } catch (error) {
      if (!isApiError(error, 409, 'GRANTEES_CHANGED') || n >= REWRAP_ATTEMPTS) throw error;
      const { missing = [], unexpected = [] } = (error.details ?? {}) as { missing?: string[]; unexpected?: string[] };
      grantees = new Set([...[...grantees].filter((p) => !unexpected.includes(p)), ...missing]);
    }
  }
}

/**
 * A new key generation of a node: `newKey` wrapped for each grantee (users pin-checked, groups at
 * their current key), the old key chained under the new one (key-chain label), and the name
 * encrypted again under the new key. Keys are not wiped here: the caller owns them.
 */
export async function newGeneration(
  ctx: ClientContext,
  node: { nodeId: string; kind: NodeKind; keyGeneration: number; encryptedName: string },
  oldKey: Uint8Array,
  newKey: Uint8Array,
  grantees: readonly string[],
): Promise<NewGeneration> {
  const userIds = grantees.flatMap((p) => (p.startsWith('u:') ? [p.slice(2)] : []));
  const groupIds = grantees.flatMap((p) => (p.startsWith('g:') ? [p.slice(2)] : []));
  const [users, groups] = await Promise.all([ctx.recipients.resolve(userIds), ctx.recipients.resolveGroups(groupIds)]);
  const generation = node.keyGeneration + 1;
  const target = { kind: node.kind, nodeId: node.nodeId, keyGeneration: generation };
  const name = await decryptMetadata(oldKey, node.nodeId, NAME_FIELD, node.encryptedName);
  return {
    keyGeneration: generation,
    chainWrap: await wrapKeyUnderKey(newKey, oldKey, {
      kind: 'key-chain',
      resourceId: node.nodeId,
      generation: node.keyGeneration,
      parentId: node.nodeId,
      parentGeneration: generation,
    }),
    encryptedName: await encryptMetadata(newKey, node.nodeId, NAME_FIELD, name),
    grants: [
      ...(await Promise.all(
        users.map(async (u) => ({
          principalId: `u:${u.userId}`,
          wrappedKey: await wrapNodeKey(u.publicKey, newKey, target, `u:${u.userId}`),
          fingerprint: u.fingerprint,
        })),
      )),
      ...(await Promise.all(
        groups.map(async (g) => ({
          principalId: `g:${g.groupId}`,
          wrappedKey: await wrapNodeKey(g.publicKey, newKey, target, `g:${g.groupId}`),
          fingerprint: g.fingerprint,
          principalKeyGeneration: g.keyGeneration,
        })),
      )),
    ],
  };
}
