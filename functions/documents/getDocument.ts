import { buildKeyPath } from '../../shared/access/keyPath.js';
import { resolveAccess } from '../../shared/access/resolveAccess.js';
import { objectKey } from '../../shared/data/keys.js';
import { operation } from '../../shared/http/Operation.js';
import { capabilitiesOf } from '../../shared/permissions/levels.js';
import { documentIdParams } from '../../shared/schemas/documents.js';
import { documentSummary } from '../../shared/services/documentSummary.js';

/** Get: how the caller opens the document key, and a short-lived presigned GET of the ciphertext. */
export const getDocument = operation({
  params: documentIdParams,
  async run({ params, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id, { kind: 'document' });
    access.require('download');
    const { node } = access;
    const ttl = deps.settings.downloadUrlTtlSeconds;
    const [url, keyPath] = await Promise.all([
      deps.objects.presignGet(objectKey(node.nodeId, node.currentVersion as number), ttl),
      buildKeyPath(deps, access),
    ]);
    return {
      body: {
        ...documentSummary(node, access.role, access.ownGrant),
        capabilities: capabilitiesOf(access.role, { kind: caller.kind, editorsCanShare: node.settings?.editorsCanShare ?? true }),
        keyPath,
        download: { url, expiresAt: new Date(deps.clock() + ttl * 1000).toISOString() },
      },
    };
  },
});
