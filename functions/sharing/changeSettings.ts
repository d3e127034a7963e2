import { nodeChange } from '../../shared/access/authorityGuards.js';
import { resolveAccess } from '../../shared/access/resolveAccess.js';
import { changeSettings as writeSettings } from '../../shared/data/grants.js';
import { operation } from '../../shared/http/Operation.js';
import { changeSettingsBody, nodeIdParams } from '../../shared/schemas/sharing.js';

/** The owner's settings of one node ("editors may share"). */
export const changeSettings = operation({
  params: nodeIdParams,
  body: changeSettingsBody,
  async run({ params, body, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id);
    access.require('settings');
    const settings = { ...access.node.settings, editorsCanShare: body.editorsCanShare };
    await writeSettings(deps.db, nodeChange(access, deps.clock()), settings, new Date(deps.clock()).toISOString());
    return { body: { nodeId: access.node.nodeId, settings } };
  },
});
