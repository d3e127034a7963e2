import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { operation } from '../../shared/server/http/Operation.js';
import { documentIdParams } from '../../shared/core/api/schemas/documents.js';
import { documentView } from '../../shared/server/services/versions/documentView.js';

/** Get: how the caller opens the document key, and a short-lived presigned GET of the current version. */
export const getDocument = operation({
  params: documentIdParams,
  async run({ params, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id, { kind: 'document' });
    access.require('download');
    return { body: await documentView(deps, access) };
  },
});
