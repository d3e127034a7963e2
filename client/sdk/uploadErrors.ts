import { CofferError } from '../../shared/core/errors/index.js';

/**
 * A resume found the source different from the interrupted upload: its size or modification
 * time, or a re-made part's check digest. Nothing was sent for the part that differs: sending it
 * would reuse AES-GCM nonces with different plaintext (docs/versions.md, "Resume").
 */
export class FileChangedError extends CofferError {
  constructor(reason: string, details?: Record<string, unknown>) {
    super(
      'FILE_CHANGED',
      `The file changed since the upload was interrupted (${reason}): it cannot be resumed. ` +
        'Restore the original file, or upload it again as a new upload (the interrupted one is cleaned up on the server).',
      details,
    );
  }
}

/** A resume cannot go on for a reason other than the file: the journal or the server's answer does not fit. */
export class ResumeRefusedError extends CofferError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('RESUME_REFUSED', message, details);
  }
}
