import { nodeChange } from '../../shared/server/access/authorityGuards.js';
import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { changeGrant as writeGrant } from '../../shared/server/data/grants.js';
import { Conflict, Forbidden } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { changeGrantBody, nodeGrantParams } from '../../shared/core/api/schemas/sharing.js';
import { checkExpiry, checkGrantable } from '../../shared/server/services/grantRules.js';

/** Change a principal's level or expiry: a registry update, no re-encryption. */
export const changeGrant = operation({
  params: nodeGrantParams,
  body: changeGrantBody,
  audit: ({ body }) => ({ details: { role: body.role, ...(body.expiresAt ? { expiresAt: body.expiresAt } : {}) } }),
  async run({ params, body, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id);
    access.require('manage');
    const current = access.node.acl?.[params.principalId];
    if (!current) throw new Conflict('NOT_SHARED', `Not shared directly with ${params.principalId}.`);
    if (current.role === 'owner') throw new Forbidden('CANNOT_REVOKE_OWNER', "The owner's level changes only by a transfer.");
    checkGrantable(access, current.role);
    checkGrantable(access, body.role);
    const now = deps.clock();
    if (body.expiresAt) checkExpiry(body.expiresAt, now);
    const entry = { role: body.role, ...(body.expiresAt ? { expiresAt: new Date(body.expiresAt).toISOString() } : {}) };
    await writeGrant(deps.db, nodeChange(access, now), params.principalId, entry, new Date(now).toISOString());
    return { body: { nodeId: access.node.nodeId, principalId: params.principalId, ...entry } };
  },
});
