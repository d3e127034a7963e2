import { nodeChange } from '../../access/authorityGuards.js';
import type { NodeAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { changeSettings } from '../../data/grants.js';
import type { NodeSettings } from '../../data/nodes.js';
import { Unprocessable } from '../../../core/errors/index.js';
import type { ChangeSettingsBody } from '../../../core/api/schemas/sharing.js';

/** A node's settings, merged over the current ones: "editors may share", and a document's retention (`keepVersions`). */
export async function changeNodeSettings(deps: Deps, access: NodeAccess, body: ChangeSettingsBody): Promise<{ nodeId: string; settings: NodeSettings }> {
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
  await changeSettings(deps.db, nodeChange(access, deps.clock()), settings, new Date(deps.clock()).toISOString());
  return { nodeId: access.node.nodeId, settings };
}
