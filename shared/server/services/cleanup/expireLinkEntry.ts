import { type ExpiryEntry, expireLink } from '../../data/expiry.js';
import type { CleanupCount } from './CleanupReport.js';
import { type CleanupRun, systemEvent } from './CleanupRun.js';

/**
 * An expired link: deleted with its `link.expire` event in one transaction, guarded on the link
 * still being expired. A live link is never touched; one already gone counts as skipped.
 */
export async function expireLinkEntry(run: CleanupRun, entry: ExpiryEntry): Promise<CleanupCount> {
  const { linkId, nodeId, linkExpiresAt } = entry;
  if (typeof linkId !== 'string' || typeof nodeId !== 'string' || typeof linkExpiresAt !== 'string') return 'skipped';
  if (linkExpiresAt > run.nowIso) return 'skipped';
  const event = systemEvent(run, 'link.expire', { linkId, nodeId }, { expiresAt: linkExpiresAt });
  return (await expireLink(run.deps.db, entry, run.nowIso, event)) === 'done' ? 'expiredLinks' : 'skipped';
}
