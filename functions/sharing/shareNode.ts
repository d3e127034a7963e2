import { operation } from '../../shared/server/http/Operation.js';
import { nodeIdParams, shareNodeBody } from '../../shared/core/api/schemas/sharing.js';
import { shareWithPrincipals } from '../../shared/server/services/sharing/shareWithPrincipals.js';

/** Share a document or folder with users and groups, all or none, each at a level up to the caller's. */
export const shareNode = operation({
  params: nodeIdParams,
  body: shareNodeBody,
  audit: ({ body }) => ({ targets: { principals: body.grants.map((g) => `${g.principalId}:${g.role}`).join(',') } }),
  async run({ params, body, caller, deps }) {
    return { body: await shareWithPrincipals(deps, caller, params.id, body) };
  },
});
