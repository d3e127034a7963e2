import { listGrantsOfDocument, resolveDocumentAccess } from '../../shared/data/documents.js';
import { objectKey } from '../../shared/data/keys.js';
import { operation } from '../../shared/http/Operation.js';
import { documentIdParams } from '../../shared/schemas/documents.js';
import { documentSummary } from '../../shared/services/documentSummary.js';

/** Get: the caller's wrapped DEK and a short-lived presigned GET of the ciphertext. */
export const getDocument = operation({
  params: documentIdParams,
  async run({ params, caller, deps }) {
    const { meta, grant } = await resolveDocumentAccess(deps.db, params.id, caller.userId);
    const ttl = deps.settings.downloadUrlTtlSeconds;
    const [url, grants] = await Promise.all([
      deps.objects.presignGet(objectKey(meta.nodeId, meta.currentVersion), ttl),
      grant.role === 'owner' ? listGrantsOfDocument(deps.db, meta.nodeId) : Promise.resolve(undefined),
    ]);
    return {
      body: {
        ...documentSummary(meta, grant),
        download: { url, expiresAt: new Date(deps.clock() + ttl * 1000).toISOString() },
        ...(grants ? { grants: grants.map((g) => ({ userId: g.userId, role: g.role, sharedAt: g.sharedAt })) } : {}),
      },
    };
  },
});
