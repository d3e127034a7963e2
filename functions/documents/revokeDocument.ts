import { removeGrants } from '../../shared/data/documents.js';
import { ValidationFailed } from '../../shared/errors/index.js';
import { operation } from '../../shared/http/Operation.js';
import { documentIdParams, revokeDocumentBody } from '../../shared/schemas/documents.js';
import { requireOwner } from '../../shared/services/documentAccess.js';

/** Revoke: remove users' wrapped DEKs, all or none (owner only). */
export const revokeDocument = operation({
  params: documentIdParams,
  body: revokeDocumentBody,
  async run({ params, body, caller, deps }) {
    await requireOwner(deps, params.id, caller.userId);
    if (body.userIds.includes(caller.userId)) {
      throw new ValidationFailed('The owner cannot be revoked: delete the document instead.');
    }
    const userIds = [...new Set(body.userIds)];
    await removeGrants(deps.db, params.id, caller.userId, userIds);
    return { body: { documentId: params.id, revoked: userIds } };
  },
});
