import { addGrants } from '../../shared/data/documents.js';
import { principal } from '../../shared/data/keys.js';
import { ValidationFailed } from '../../shared/errors/index.js';
import { operation } from '../../shared/http/Operation.js';
import { documentIdParams, shareDocumentBody } from '../../shared/schemas/documents.js';
import { requireOwner } from '../../shared/services/documentAccess.js';
import { checkRecipients } from '../../shared/services/recipients.js';

/** Share: add wrapped DEKs for new users, all or none (owner only in the foundation). */
export const shareDocument = operation({
  params: documentIdParams,
  body: shareDocumentBody,
  async run({ params, body, caller, deps }) {
    // Independent reads in parallel, but the access verdict is reported first: a caller
    // without access learns nothing about the recipients. Ownership is a condition of the write too.
    const [access, recipients] = await Promise.allSettled([
      requireOwner(deps, params.id, caller.userId),
      checkRecipients(deps, body.grants),
    ]);
    if (access.status === 'rejected') throw access.reason;
    if (body.grants.some((g) => g.userId === caller.userId)) throw new ValidationFailed('You already own this document.');
    if (recipients.status === 'rejected') throw recipients.reason;
    const sharedAt = new Date(deps.clock()).toISOString();
    await addGrants(
      deps.db,
      params.id,
      caller.userId,
      body.keyGeneration,
      body.grants.map((g) => ({
        nodeId: params.id,
        principalId: principal.user(g.userId),
        userId: g.userId,
        role: 'viewer',
        wrappedKey: g.wrappedKey,
        keyGeneration: body.keyGeneration,
        grantedBy: caller.userId,
        sharedAt,
      })),
    );
    return { body: { documentId: params.id, sharedWith: body.grants.map((g) => g.userId) } };
  },
});
