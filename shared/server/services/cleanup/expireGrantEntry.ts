import { type ExpiryEntry, expireGrant, expireOrphanGrant } from '../../data/expiry.js';
import type { CleanupCount } from './CleanupReport.js';
import { type CleanupRun, systemEvent } from './CleanupRun.js';

/**
 * An expired share: the grant item and the node's ACL entry removed together (rev + 1) with the
 * `grant.expire` event, both guarded on the expiry this entry names, so an extended, cleared or
 * revoked grant is never touched. On a node that is gone, the grant item alone.
 */
export async function expireGrantEntry(run: CleanupRun, entry: ExpiryEntry): Promise<CleanupCount> {
  const { nodeId, principalId, grantExpiresAt } = entry;
  if (typeof nodeId !== 'string' || typeof principalId !== 'string' || typeof grantExpiresAt !== 'string') return 'skipped';
  if (grantExpiresAt > run.nowIso) return 'skipped';
  const grant = { nodeId, principalId, grantExpiresAt };
  const targets = { nodeId, principalId };
  const outcome = await expireGrant(run.deps.db, grant, run.nowIso, systemEvent(run, 'grant.expire', targets, { expiresAt: grantExpiresAt }));
  switch (outcome) {
    case 'done':
      return 'expiredGrants';
    case 'node-gone': {
      const event = systemEvent(run, 'grant.expire', targets, { expiresAt: grantExpiresAt, nodeGone: true });
      return (await expireOrphanGrant(run.deps.db, grant, event)) === 'done' ? 'expiredGrants' : 'skipped';
    }
    case 'inconsistent':
      // The node's ACL entry disagrees with the grant item: left for a person to look at.
      run.deps.logger.warn('cleanup: grant item and ACL entry disagree; left alone', { nodeId, runId: run.runId });
      return 'skipped';
    case 'lost':
      return 'skipped';
  }
}
