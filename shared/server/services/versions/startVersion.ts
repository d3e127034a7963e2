import { nodeChange } from '../../access/authorityGuards.js';
import { resolveAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import type { DocumentMeta } from '../../data/documents.js';
import { objectKey } from '../../data/keys.js';
import { keyGenerationStale, keyRotationRequired, reserveVersion, type VersionItem } from '../../data/versions.js';
import { Unprocessable } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import { type CreateVersionBody, type CreateVersionResponse, MAX_VERSION } from '../../../core/api/schemas/versions.js';
import { planUpload } from '../documents/planUpload.js';

/**
 * Reserve the next version (`edit`) and hand out its upload: the number is `nextVersion + 1`,
 * written with a condition on the value read together with the pending version item, so two
 * editors at once get consecutive numbers or one gets 409 CONCURRENT_UPDATE and retries.
 * Refused while the content would be under an old key: another generation is
 * KEY_GENERATION_STALE, a revoke not yet followed by a rotation KEY_ROTATION_REQUIRED.
 */
export async function startVersion(deps: Deps, caller: Caller, documentId: string, body: CreateVersionBody): Promise<CreateVersionResponse> {
  const access = await resolveAccess(deps, caller, documentId, { kind: 'document' });
  access.require('edit');
  const meta = access.node as unknown as DocumentMeta;
  if (body.keyGeneration !== meta.keyGeneration) throw keyGenerationStale(meta.keyGeneration);
  if (meta.rotationDue) throw keyRotationRequired();
  const last = meta.nextVersion ?? meta.currentVersion;
  const version = last + 1;
  if (version > MAX_VERSION) throw new Unprocessable('TOO_MANY_VERSIONS', 'This document has used every version number: copy it into a new document.');
  const now = deps.clock();
  const nowIso = new Date(now).toISOString();
  const key = objectKey(documentId, version);
  const upload = await planUpload(deps, key, body.size);
  const item: VersionItem = {
    nodeId: documentId,
    version,
    size: body.size,
    objectKey: key,
    keyGeneration: meta.keyGeneration,
    createdBy: caller.userId,
    createdAt: nowIso,
    state: 'pending',
    upload: upload.record,
    abandonAt: new Date(now + deps.settings.abandonAfterSeconds * 1000).toISOString(),
  };
  const read = { nodeId: documentId, keyGeneration: meta.keyGeneration, lastVersion: last, hadNextVersion: meta.nextVersion !== undefined };
  try {
    await reserveVersion(deps.db, read, item, nodeChange(access, now).guards, nowIso);
  } catch (error) {
    await upload.abort();
    throw error;
  }
  return { documentId, version, keyGeneration: meta.keyGeneration, upload: await upload.instructions() };
}
