import { forbidden, resolveAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { deleteLink, getLink, linkNotFound } from '../../data/links.js';
import { NotFound } from '../../../core/errors/index.js';
import type { RevokeLinkResponse } from '../../../core/api/schemas/links.js';
import { type LinkActor, linkEvent } from './linkAudit.js';

/**
 * Revoke a link: its creator while still holding `share` on the node, or anyone with `manage`
 * there. An unknown link, or one whose node the caller cannot see, is the same 404. The delete
 * and the `link.revoke` event are one transaction.
 */
export async function revokeShareLink(deps: Deps, actor: LinkActor, linkId: string): Promise<RevokeLinkResponse> {
  const link = await getLink(deps.db, linkId);
  if (!link) throw linkNotFound();
  const access = await resolveAccess(deps, actor.caller, link.nodeId).catch((error: unknown) => {
    throw error instanceof NotFound ? linkNotFound() : error;
  });
  const creator = link.createdBy === actor.caller.userId && access.can('share');
  if (!creator && !access.can('manage')) throw forbidden('manage', actor.caller);
  await deleteLink(deps.db, linkId, linkEvent(actor, 'link.revoke', deps.clock(), { linkId, nodeId: link.nodeId }, { status: 200 }));
  return { linkId, revoked: true };
}
