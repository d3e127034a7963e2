import { resolveMany } from '../../shared/server/access/resolveAccess.js';
import { operation } from '../../shared/server/http/Operation.js';
import { capabilitiesOf } from '../../shared/core/permissions/levels.js';
import { checkAccessBody, type CheckAccessResponse } from '../../shared/core/api/schemas/sharing.js';

/** Batch check: which of these (up to 100) nodes the caller can see, with its level and capabilities. Others are simply absent. */
export const checkAccess = operation({
  body: checkAccessBody,
  async run({ body, caller, deps }) {
    const resolved = await resolveMany(deps, caller, body.nodeIds);
    const results = body.nodeIds.flatMap((id) => {
      const a = resolved.get(id);
      if (!a) return [];
      const context = { kind: caller.kind, editorsCanShare: a.node.settings?.editorsCanShare ?? true };
      return [{ nodeId: id, role: a.role, capabilities: capabilitiesOf(a.role, context) }];
    });
    const response: CheckAccessResponse = { results };
    return { body: response };
  },
});
