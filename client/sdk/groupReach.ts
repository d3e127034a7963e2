import { decryptMetadata, fromBase64Url, unwrapKey } from '../../shared/core/crypto/index.js';
import type { ListGroupGrantsResponse } from '../../shared/core/api/schemas/groups.js';
import type { ClientContext } from './ClientContext.js';
import { NAME_FIELD } from './dataKeys.js';
import { GroupKeyring } from './GroupKeyring.js';
import { groupPath } from './groups.js';
import { nodeKeyLabel } from './nodeKeys.js';

/** A document or folder shared with a group, as its members see it. */
export interface GroupReachEntry {
  nodeId: string;
  kind: 'document' | 'folder';
  role: string;
  /** Decrypted name; undefined when it could not be decrypted (see nameError). */
  name: string | undefined;
  nameError?: string;
}

/**
 * What a group can reach (members only): the grants made to it (GET /groups/{id}/grants, page
 * after page), names decrypted with the group's private key from the caller's keyring. A folder
 * stands for its contents. Nodes being deleted are left out.
 */
export async function listGroupReach(ctx: ClientContext, groupId: string, pageSize = 100): Promise<GroupReachEntry[]> {
  const keyring = await GroupKeyring.load(ctx);
  const entries: GroupReachEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.api.get<ListGroupGrantsResponse>(`${groupPath(groupId)}/grants`, { query: { limit: pageSize, cursor } });
    cursor = page.cursor;
    for (const grant of page.grants) {
      if (grant.inactive) continue;
      const entry: GroupReachEntry = { nodeId: grant.nodeId, kind: grant.nodeKind, role: grant.role, name: undefined };
      if (grant.encryptedName === undefined) {
        // Wrapped for an older key of the node: opening its name needs the key path (coffer ls FOLDER / download).
        entries.push({ ...entry, nameError: 'OLDER_KEY_GENERATION' });
        continue;
      }
      try {
        const label = nodeKeyLabel(grant.nodeKind, grant.nodeId, grant.keyGeneration, `g:${groupId}`);
        const key = await unwrapKey(await keyring.privateKeyFor(groupId, grant.principalKeyGeneration), fromBase64Url(grant.wrappedKey), label);
        try {
          entry.name = await decryptMetadata(key, grant.nodeId, NAME_FIELD, grant.encryptedName);
        } finally {
          key.fill(0);
        }
      } catch (error) {
        // One unreadable entry must not hide the rest (a grant not yet re-wrapped for the current key, say).
        entry.nameError = error instanceof Error && 'code' in error ? String(error.code) : 'DECRYPTION_FAILED';
      }
      entries.push(entry);
    }
  } while (cursor);
  return entries;
}
