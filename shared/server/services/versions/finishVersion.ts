import { resolveAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import type { DocumentMeta } from '../../data/documents.js';
import { activateVersion, getVersion, keyGenerationStale, uploadNotFound } from '../../data/versions.js';
import { Conflict } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import type { CompleteVersionBody, VersionSummary } from '../../../core/api/schemas/versions.js';
import { finishUpload } from '../documents/finishUpload.js';
import { pruneVersions } from './pruneVersions.js';
import { versionSummary } from './versionSummary.js';

/**
 * Complete a version (its uploader, still holding `edit`): the object exists with the declared
 * size, then one transaction makes it active and moves the document's current version up when it
 * is newer, refused (KEY_GENERATION_STALE, nothing changed) if the key was rotated since the
 * reservation. Retention follows; its failure never undoes the completion (the cleanup job
 * finishes it).
 */
export async function finishVersion(deps: Deps, caller: Caller, documentId: string, version: number, body: CompleteVersionBody): Promise<VersionSummary> {
  const access = await resolveAccess(deps, caller, documentId, { kind: 'document' });
  access.require('edit');
  const meta = access.node as unknown as DocumentMeta;
  const item = await getVersion(deps.db, documentId, version);
  if (!item || item.createdBy !== caller.userId || item.state === 'pruned') throw uploadNotFound();
  if (item.state !== 'pending') throw new Conflict('UPLOAD_ALREADY_COMPLETED', 'This upload was already completed.');
  // Checked again by the transaction; here it saves assembling an object that cannot go live.
  if (item.keyGeneration !== meta.keyGeneration) throw keyGenerationStale(meta.keyGeneration);
  await finishUpload(deps, item.objectKey, item.upload, body.parts, item.size);
  const nowIso = new Date(deps.clock()).toISOString();
  const isCurrent = await activateVersion(deps.db, {
    item,
    callerId: caller.userId,
    ...(body.digest ? { digest: body.digest } : {}),
    nowIso,
    currentVersion: meta.currentVersion,
  });
  const currentVersion = isCurrent ? version : meta.currentVersion;
  try {
    await pruneVersions(deps, documentId, meta.settings?.keepVersions, currentVersion);
  } catch (error) {
    deps.logger.warn('retention: prune left to the cleanup job', { documentId, error: { name: error instanceof Error ? error.name : 'Error' } });
  }
  return versionSummary({ ...item, ...(body.digest ? { digest: body.digest } : {}) }, currentVersion);
}
