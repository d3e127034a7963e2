import type { Deps } from '../../config/Deps.js';
import { recordAudit } from '../../data/audit.js';
import { countFailedAttempt, LinkChanged, type LinkItem, getLink, lockLink } from '../../data/links.js';
import { type LinkActor, linkEvent } from './linkAudit.js';
import { checkLinkUsable } from './linkChecks.js';
import { linkLocked, linkPasswordRequired, linkPasswordWrong } from './linkErrors.js';
import { proofMatches } from './linkPassword.js';

/**
 * Open, step 4 after the lock check: no proof is 401 LINK_PASSWORD_REQUIRED with the KDF cost
 * (not an attempt); a wrong proof counts one failed attempt, and the attempt that reaches
 * `linkMaxPasswordAttempts` locks the link for `linkLockSeconds` (audited once: `link.lock`) and
 * answers 429 LINK_LOCKED; any other wrong proof answers 401 LINK_PASSWORD_WRONG.
 */
export async function checkLinkPassword(deps: Deps, link: LinkItem, proof: string | undefined, actor: LinkActor): Promise<void> {
  if (!link.password) return;
  if (proof === undefined) throw linkPasswordRequired(link.password.kdf);
  if (await proofMatches(deps.keys, link.linkId, proof, link.password.verifier)) return;

  const now = deps.clock();
  const nowIso = new Date(now).toISOString();
  let count: number;
  try {
    count = await countFailedAttempt(deps.db, link.linkId, nowIso);
  } catch (error) {
    // Locked (or revoked) since the read: answer as a fresh open would.
    if (!(error instanceof LinkChanged)) throw error;
    checkLinkUsable(await getLink(deps.db, link.linkId), now);
    throw linkPasswordWrong();
  }
  const max = deps.settings.linkMaxPasswordAttempts;
  if (count < max) throw linkPasswordWrong();
  const lockedUntil = new Date(now + deps.settings.linkLockSeconds * 1000).toISOString();
  if (await lockLink(deps.db, link.linkId, max, nowIso, lockedUntil)) {
    await recordAudit(
      deps.db,
      linkEvent(actor, 'link.lock', now, { linkId: link.linkId, nodeId: link.nodeId }, { status: 429, errorCode: 'LINK_LOCKED', details: { lockedUntil } }),
    );
    throw linkLocked(lockedUntil);
  }
  // Another attempt locked it first.
  checkLinkUsable(await getLink(deps.db, link.linkId), now);
  throw linkPasswordWrong();
}
