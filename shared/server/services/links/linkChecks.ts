import type { LinkItem } from '../../data/links.js';
import { linkExhausted, linkExpired, linkLocked, linkMembersOnly, linkNotFound, linkSignInRequired, linkUserNotAllowed } from './linkErrors.js';
import type { LinkActor } from './linkAudit.js';

/**
 * Open, steps 1 to 4a (docs/links.md), in order, stopping at the first failure: the link exists,
 * has not expired, is not used up, is not locked. Also classifies a commit whose guard failed,
 * from a fresh read. Do not reorder: a locked link must not reveal whether a proof is right.
 */
export function checkLinkUsable(link: LinkItem | undefined, now: number): LinkItem {
  if (!link) throw linkNotFound();
  if (Date.parse(link.linkExpiresAt) <= now) throw linkExpired();
  if (link.maxDownloads !== undefined && link.downloads >= link.maxDownloads) throw linkExhausted();
  if (link.password && link.lockedUntil && Date.parse(link.lockedUntil) > now) throw linkLocked(link.lockedUntil);
  return link;
}

/** Open, step 5: who may open it. `caller` counts only when someone signed in. */
export function checkAudience(link: LinkItem, actor: LinkActor): void {
  const { mode } = link.audience;
  if (mode === 'anyone') return;
  if (!actor.signedIn) throw linkSignInRequired();
  if (mode === 'members' && actor.caller.kind !== 'member') throw linkMembersOnly();
  if (link.audience.mode === 'users' && !link.audience.users.includes(actor.caller.userId)) throw linkUserNotAllowed();
}
