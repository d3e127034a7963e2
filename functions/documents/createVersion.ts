import { operation } from '../../shared/http/Operation.js';
import { documentIdParams } from '../../shared/schemas/documents.js';
import { createVersionBody } from '../../shared/schemas/versions.js';
import { startVersion } from '../../shared/services/versions/startVersion.js';

/** Reserve the next version number and get its upload instructions. */
export const createVersion = operation({
  params: documentIdParams,
  body: createVersionBody,
  audit: ({ body }) => (body.restoredFrom !== undefined ? { details: { restoredFrom: body.restoredFrom } } : {}),
  async run({ params, body, caller, deps }) {
    return { status: 201, body: await startVersion(deps, caller, params.id, body) };
  },
});
