import { resolveAccess } from '../../shared/access/resolveAccess.js';
import { operation } from '../../shared/http/Operation.js';
import { versionParams } from '../../shared/schemas/versions.js';
import { documentView } from '../../shared/services/versions/documentView.js';

/** Get one active version: its key chain down from the current key, and a presigned GET of its object. */
export const getVersion = operation({
  params: versionParams,
  async run({ params, caller, deps }) {
    const access = await resolveAccess(deps, caller, params.id, { kind: 'document' });
    access.require('download');
    return { body: await documentView(deps, access, params.version) };
  },
});
