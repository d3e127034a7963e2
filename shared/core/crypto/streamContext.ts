import { ValidationFailed } from '../errors/index.js';
import { assertDocumentId, assertVersion } from './inputChecks.js';

/** What a stream belongs to: bound into every chunk's AAD. */
export type StreamContext = {
  documentId: string;
  /** Document version number (u32). */
  version: number;
};

export function assertStreamContext(context: unknown): asserts context is StreamContext {
  if (typeof context !== 'object' || context === null) {
    throw new ValidationFailed('The stream context must be { documentId, version }.');
  }
  const { documentId, version } = context as StreamContext;
  assertDocumentId(documentId);
  assertVersion(version);
}
