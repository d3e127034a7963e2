import { operation } from '../../shared/server/http/Operation.js';
import { documentIdParams } from '../../shared/core/api/schemas/documents.js';
import { createVersionBody } from '../../shared/core/api/schemas/versions.js';
import { startVersion } from '../../shared/server/services/versions/startVersion.js';

/** Reserve the next version number and get its upload instructions. */
export const createVersion = operation({
  params: documentIdParams,
  body: createVersionBody,
  audit: ({ body }) => (body.restoredFrom !== undefined ? { details: { restoredFrom: body.restoredFrom } } : {}),
  async run({ params, body, caller, deps }) {
    return { status: 201, body: await startVersion(deps, caller, params.id, body) };
  },
});
