import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { operation } from '../../shared/server/http/Operation.js';
import { changeGrantBody, nodeGrantParams } from '../../shared/core/api/schemas/sharing.js';
import { changeNodeGrant } from '../../shared/server/services/sharing/changeNodeGrant.js';

/** Change a principal's level or expiry: a registry update, no re-encryption. */
export const changeGrant = operation({
  params: nodeGrantParams,
  body: changeGrantBody,
  audit: ({ body }) => ({ details: { role: body.role, ...(body.expiresAt ? { expiresAt: body.expiresAt } : {}) } }),
  async run({ params, body, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id);
    access.require('manage');
    return { body: await changeNodeGrant(deps, access, params.principalId, body) };
  },
});
