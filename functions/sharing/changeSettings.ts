import { nodeChange } from '../../shared/server/access/authorityGuards.js';
import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { changeSettings as writeSettings } from '../../shared/server/data/grants.js';
import type { NodeSettings } from '../../shared/server/data/nodes.js';
import { Unprocessable } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { changeSettingsBody, nodeIdParams } from '../../shared/core/api/schemas/sharing.js';

/** The owner's settings of one node: "editors may share", and a document's retention (`keepVersions`). */
export const changeSettings = operation({
  params: nodeIdParams,
  body: changeSettingsBody,
  audit: ({ body }) => ({ details: { ...(body.editorsCanShare !== undefined ? { editorsCanShare: body.editorsCanShare } : {}), ...(body.keepVersions !== undefined ? { keepVersions: body.keepVersions ?? 'all' } : {}) } }),
  async run({ params, body, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id);
    access.require('settings');
    if (body.keepVersions !== undefined && access.node.kind !== 'document') {
      throw new Unprocessable('NOT_A_DOCUMENT', 'Only documents have versions: keepVersions is a document setting.');
    }
    const current = access.node.settings;
    // null: keep every version again.
    const keep = body.keepVersions === undefined ? current.keepVersions : (body.keepVersions ?? undefined);
    const settings: NodeSettings = {
      editorsCanShare: body.editorsCanShare ?? current.editorsCanShare,
      ...(keep !== undefined ? { keepVersions: keep } : {}),
    };
    await writeSettings(deps.db, nodeChange(access, deps.clock()), settings, new Date(deps.clock()).toISOString());
    return { body: { nodeId: access.node.nodeId, settings } };
  },
});
