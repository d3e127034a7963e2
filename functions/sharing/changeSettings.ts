import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { operation } from '../../shared/server/http/Operation.js';
import { changeSettingsBody, nodeIdParams } from '../../shared/core/api/schemas/sharing.js';
import { changeNodeSettings } from '../../shared/server/services/sharing/changeNodeSettings.js';

/** The owner's settings of one node: "editors may share", and a document's retention (`keepVersions`). */
export const changeSettings = operation({
  params: nodeIdParams,
  body: changeSettingsBody,
  audit: ({ body }) => ({ details: { ...(body.editorsCanShare !== undefined ? { editorsCanShare: body.editorsCanShare } : {}), ...(body.keepVersions !== undefined ? { keepVersions: body.keepVersions ?? 'all' } : {}) } }),
  async run({ params, body, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id);
    access.require('settings');
    return { body: await changeNodeSettings(deps, access, body) };
  },
});
