import { operation } from '../../shared/server/http/Operation.js';
import { documentIdParams } from '../../shared/core/api/schemas/documents.js';
import { rotateDocumentKeyBody } from '../../shared/core/api/schemas/versions.js';
import { rotateKeyGeneration } from '../../shared/server/services/versions/rotateKeyGeneration.js';

/** Start a new key generation of a document: every direct grant re-wrapped, the old key chained, in one transaction. */
export const rotateDocumentKey = operation({
  params: documentIdParams,
  body: rotateDocumentKeyBody,
  async run({ params, body, caller, deps }) {
    return { body: await rotateKeyGeneration(deps, caller, params.id, body) };
  },
});
