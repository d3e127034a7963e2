import { nodeChange } from '../../access/authorityGuards.js';
import { resolveAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { addGrants } from '../../data/grants.js';
import { principal } from '../../data/keys.js';
import type { GrantItem } from '../../data/nodes.js';
import { Conflict, ValidationFailed } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import type { ShareNodeBody, ShareNodeResponse } from '../../../core/api/schemas/sharing.js';
import { checkExpiry, checkGrantable } from './grantRules.js';
import { checkPrincipals } from './recipients.js';

/**
 * Share a document or folder with users and groups, all or none, each at a level up to the
 * caller's, with keys wrapped from the node's current generation for each principal's current key.
 * The access verdict comes first: a caller without access learns nothing about the recipients.
 */
export async function shareWithPrincipals(deps: Deps, caller: Caller, nodeId: string, body: ShareNodeBody): Promise<ShareNodeResponse> {
  const [access, recipients] = await Promise.allSettled([resolveAccess(deps, caller, nodeId), checkPrincipals(deps, body.grants)]);
  if (access.status === 'rejected') throw access.reason;
  const { node } = access.value;
  access.value.require('share');
  const now = deps.clock();
  for (const g of body.grants) {
    checkGrantable(access.value, g.role);
    if (g.expiresAt) checkExpiry(g.expiresAt, now);
  }
  if (body.grants.some((g) => g.principalId === principal.user(caller.userId))) throw new ValidationFailed('You cannot share with yourself.');
  if (recipients.status === 'rejected') throw recipients.reason;
  if (body.keyGeneration !== node.keyGeneration) throw new Conflict('KEY_CHANGED', 'The key changed: fetch it again and re-wrap.');
  const already = body.grants.filter((g) => node.acl?.[g.principalId]).map((g) => g.principalId);
  if (already.length > 0) {
    throw new Conflict('ALREADY_SHARED', `Already shared with: ${already.join(', ')}. Change a level with PUT /nodes/{id}/grants/{principalId}. Nothing was changed.`, {
      principalIds: already,
    });
  }
  const sharedAt = new Date(now).toISOString();
  const grants: GrantItem[] = body.grants.map((g) => {
    const checked = recipients.value.get(g.principalId)!;
    const userId = principal.userIdOf(g.principalId);
    return {
      nodeId: node.nodeId,
      principalId: g.principalId,
      ...(userId ? { userId } : {}),
      role: g.role,
      wrappedKey: g.wrappedKey,
      keyGeneration: node.keyGeneration,
      ...(checked.keyGeneration !== undefined ? { principalKeyGeneration: checked.keyGeneration } : {}),
      grantedBy: caller.userId,
      sharedAt,
      ...(g.expiresAt ? { grantExpiresAt: new Date(g.expiresAt).toISOString() } : {}),
    };
  });
  await addGrants(deps.db, nodeChange(access.value, now), node.keyGeneration, grants, sharedAt);
  return { nodeId: node.nodeId, sharedWith: grants.map((g) => g.principalId) };
}
