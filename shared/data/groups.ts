import { batchGetAll } from './batchOperations.js';
import type { Database } from './Database.js';
import { keys } from './keys.js';

/** `GROUP#<id>` / `META` (docs/permissions.md, "DynamoDB items"). */
export interface GroupMeta {
  groupId: string;
  /** Plaintext, visible to the server (documented in the README). */
  name: string;
  keyGeneration: number;
  /** SPKI, base64url. */
  publicKey: string;
  /** sha256 hex of the SPKI. */
  fingerprint: string;
  /** The PKCS#8 private key sealed under the group secret of `keyGeneration`. */
  sealedPrivateKey: string;
  /** `keyChain[gen]` = S(gen) wrapped under S(gen+1), for every rotated generation. */
  keyChain?: Record<string, string>;
  /** Every group this group is in, transitively: `{ [groupId]: via }`. */
  supergroups: Record<string, string>;
  memberCount: number;
  createdBy: string;
  createdAt: string;
  rev: number;
}

/** Many group metas in one round trip per 100 ids (consistent). Unknown ids are absent from the map. */
export async function getGroupMetas(db: Database, groupIds: string[]): Promise<Map<string, GroupMeta>> {
  const items = await batchGetAll(db, [...new Set(groupIds)].map((id) => keys.groupMeta(id)), true);
  return new Map(items.map((item) => [item.groupId as string, item as unknown as GroupMeta]));
}
