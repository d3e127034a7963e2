import { resolveAccess } from '../../shared/server/access/resolveAccess.js';
import { operation } from '../../shared/server/http/Operation.js';
import { versionParams } from '../../shared/core/api/schemas/versions.js';
import { documentView } from '../../shared/server/services/versions/documentView.js';

/** Get one active version: its key chain down from the current key, and a presigned GET of its object. */
export const getVersion = operation({
  params: versionParams,
  async run({ params, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id, { kind: 'document' });
    access.require('download');
    return { body: await documentView(deps, access, params.version) };
  },
});
