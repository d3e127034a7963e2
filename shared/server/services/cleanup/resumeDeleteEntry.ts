import { claimDelete, type ExpiryEntry } from '../../data/expiry.js';
import { purgeFolderTree } from '../folders/deleteFolderTree.js';
import type { CleanupCount } from './CleanupReport.js';
import { type CleanupRun, RESUME_AFTER_SECONDS, retryAt, systemEvent } from './CleanupRun.js';
import { purgeDocumentData } from './purgeDocumentData.js';

/**
 * A node left `deleting` by a delete that stopped half-way: claimed for this run with its
 * `delete.resume` event in one transaction (guard: still deleting, with the entry this run saw,
 * so two runs never both resume it), then purged as `purgeDocument` or `purgeFolderTree` would.
 * A delete younger than RESUME_AFTER_SECONDS may still be running in its request: left alone.
 */
export async function resumeDeleteEntry(run: CleanupRun, entry: ExpiryEntry): Promise<CleanupCount> {
  const { nodeId, kind, gsi2sk } = entry;
  if (typeof nodeId !== 'string' || (kind !== 'document' && kind !== 'folder')) return 'skipped';
  const markedAt = Date.parse(gsi2sk.slice(0, gsi2sk.indexOf('#')));
  if (!(markedAt <= run.now - RESUME_AFTER_SECONDS * 1000)) return 'skipped';
  const event = systemEvent(run, 'delete.resume', { nodeId }, { kind });
  if ((await claimDelete(run.deps.db, nodeId, gsi2sk, retryAt(run), event)) === 'lost') return 'skipped';
  if (kind === 'folder') await purgeFolderTree(run.deps, nodeId);
  else await purgeDocumentData(run.deps, nodeId);
  return 'resumedDeletes';
}
