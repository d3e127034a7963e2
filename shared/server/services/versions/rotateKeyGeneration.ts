import { nodeChange } from '../../access/authorityGuards.js';
import { resolveAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import type { DocumentMeta } from '../../data/documents.js';
import { conditionCheck } from '../../data/itemBuilders.js';
import { keys } from '../../data/keys.js';
import { type Rewrap, writeKeyRotation } from '../../data/keyRotation.js';
import { isLive } from '../../data/nodes.js';
import { Conflict, Unprocessable, ValidationFailed } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import type { RotateDocumentKeyBody, RotateDocumentKeyResponse } from '../../../core/api/schemas/versions.js';
import { MAX_TRANSACTION_ITEMS } from '../../data/transactWrite.js';
import { checkGrantees, checkWrappedFor } from '../sharing/granteeRewrap.js';
import { countLinksMadeStale } from '../links/countLinksMadeStale.js';

const keyGenerationChanged = (current: number) =>
  new Conflict('KEY_GENERATION_CHANGED', `The document is at key generation ${current}: wrap a new key for ${current + 1}.`, { keyGeneration: current });
const parentKeyChanged = () => new Conflict('PARENT_KEY_CHANGED', "The folder's key changed: fetch it again and re-wrap.");

/**
 * A new key generation of a document (`manage`; docs/versions.md, "rotate"): the registry swap
 * of folder limit, for a document. One transaction: the META at `g+1` with the old key chained
 * under it, the name under the new key, the new parent wrap in a folder, `rotationDue` cleared;
 * every live direct grant re-wrapped, expired ones deleted; the folder still at the generation
 * wrapped under, and the caller's authority guards. Nothing is written when any check fails.
 * Answers how many share links the new key made stale (one more query, on the node's links).
 */
export async function rotateKeyGeneration(deps: Deps, caller: Caller, documentId: string, body: RotateDocumentKeyBody): Promise<RotateDocumentKeyResponse> {
  const access = await resolveAccess(deps, caller, documentId, { kind: 'document' });
  access.require('manage');
  const doc = access.node as unknown as DocumentMeta;
  if (body.keyGeneration !== doc.keyGeneration + 1) throw keyGenerationChanged(doc.keyGeneration);
  const parent = doc.parentId ? access.ancestors[0] : undefined;
  if (parent) {
    if (!body.parentWrap || body.parentKeyGeneration === undefined) {
      throw new ValidationFailed('In a folder, send parentWrap and parentKeyGeneration: the new key wrapped under the folder key.');
    }
    if (body.parentKeyGeneration !== parent.keyGeneration) throw parentKeyChanged();
  } else if (body.parentWrap || body.parentKeyGeneration !== undefined) {
    throw new ValidationFailed('A top-level document has no parent wrap: leave out parentWrap and parentKeyGeneration.');
  }
  const now = deps.clock();
  const guards = nodeChange(access, now).guards;
  const acl = Object.entries(doc.acl ?? {});
  const live = acl.filter(([, e]) => isLive(e, now)).map(([p]) => p);
  const expired = acl.filter(([, e]) => !isLive(e, now)).map(([p]) => p);
  checkGrantees(body.grants, new Set(live));
  if (1 + body.grants.length + expired.length + guards.length + (parent ? 1 : 0) > MAX_TRANSACTION_ITEMS) {
    throw new Unprocessable(
      'TOO_MANY_GRANTS',
      `Rotating re-wraps every direct grant in one transaction: this document has too many (${live.length}). Share through a group instead.`,
    );
  }
  await checkWrappedFor(deps, body.grants);

  const rewraps: Rewrap[] = body.grants.map((g) => ({
    principalId: g.principalId,
    wrappedKey: g.wrappedKey,
    ...(g.principalKeyGeneration !== undefined ? { principalKeyGeneration: g.principalKeyGeneration } : {}),
  }));
  const parentGuard = parent ? guards.find((g) => g.key.pk === keys.nodeMeta(parent.nodeId).pk && g.key.sk === 'META') : undefined;
  await writeKeyRotation(
    deps.db,
    {
      node: doc,
      newGeneration: body.keyGeneration,
      chainWrap: body.chainWrap,
      encryptedName: body.encryptedName,
      rewraps,
      expired,
      guards,
      nowIso: new Date(now).toISOString(),
      meta: {
        set: parent ? { parentWrap: body.parentWrap, parentKeyGeneration: body.parentKeyGeneration } : {},
        remove: ['rotationDue'],
      },
      onStale: (now) => {
        const current = (now as Partial<DocumentMeta> | undefined)?.keyGeneration;
        return current !== undefined && current !== doc.keyGeneration ? keyGenerationChanged(current) : undefined;
      },
      checks: parent
        ? [
            conditionCheck(deps.db, keys.nodeMeta(parent.nodeId), {
              // The folder's rev too when it carried the caller's authority (one check per item).
              condition: {
                expression: `#state = :active AND keyGeneration = :pgen${parentGuard ? ' AND rev = :prev' : ''}`,
                names: { '#state': 'state' },
                values: { ':active': 'active', ':pgen': parent.keyGeneration, ...(parentGuard ? { ':prev': parentGuard.rev } : {}) },
              },
              returnOld: true,
              onConditionFail: (now) => {
                const current = (now as { keyGeneration?: number } | undefined)?.keyGeneration;
                return current !== undefined && current !== parent.keyGeneration ? parentKeyChanged() : undefined;
              },
            }),
          ]
        : [],
    },
  );
  // Read after the swap: a link made meanwhile was made at the new generation and is not counted.
  const staleLinks = await countLinksMadeStale(deps, documentId, doc.keyGeneration, body.keyGeneration);
  return { documentId, keyGeneration: body.keyGeneration, staleLinks };
}
