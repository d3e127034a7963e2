import { CofferError } from './CofferError.js';
import type { CodeOf } from './errorCodes.js';

/** Input that fails validation (body, path, query or header). */
export class ValidationFailed extends CofferError {
  constructor(message = 'The request is not valid.', details?: Record<string, unknown>) {
    super('VALIDATION_FAILED' satisfies CodeOf<'ValidationFailed'>, message, details);
  }
}

/** A share-link URL that is not `<server>/l/<token>#<secret>`: a ValidationFailed with its own code. */
export class InvalidLinkUrl extends ValidationFailed {
  override readonly code: CodeOf<'ValidationFailed'> = 'INVALID_LINK_URL';

  constructor(message = 'This is not a Coffer link: expected <server>/l/<token>#<secret>, with a 43-character token and secret.') {
    super(message);
  }
}

/** A request body above the size limit. */
export class PayloadTooLarge extends CofferError {
  constructor(message = 'The request body is too large.') {
    super('PAYLOAD_TOO_LARGE' satisfies CodeOf<'PayloadTooLarge'>, message);
  }
}

/** A request body that is not JSON. */
export class UnsupportedMediaType extends CofferError {
  constructor() {
    super('UNSUPPORTED_MEDIA_TYPE' satisfies CodeOf<'UnsupportedMediaType'>, 'Send the request body as application/json.');
  }
}

/** Missing, malformed, tampered or expired credentials. */
export class Unauthorized extends CofferError {
  constructor(code: CodeOf<'Unauthorized'> = 'UNAUTHORIZED', message = 'Authentication is required: log in again.', details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

/** The caller knows the resource exists but may not perform this action on it. */
export class Forbidden extends CofferError {
  constructor(code: CodeOf<'Forbidden'> = 'FORBIDDEN', message = 'You are not allowed to do this.') {
    super(code, message);
  }
}

/** Unknown, or not visible to the caller: the two are indistinguishable on purpose. */
export class NotFound extends CofferError {
  constructor(code: CodeOf<'NotFound'> = 'NOT_FOUND', message = 'Not found.', details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

/** A conditional write lost: the resource changed or already exists. */
export class Conflict extends CofferError {
  constructor(code: CodeOf<'Conflict'> = 'CONFLICT', message = 'The resource changed: retry.', details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

/** Well-formed but semantically unacceptable (unknown users, size mismatch, ...). */
export class Unprocessable extends CofferError {
  constructor(code: CodeOf<'Unprocessable'>, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

/** Existed, but is no longer usable (an expired or used-up link). */
export class Gone extends CofferError {
  constructor(code: CodeOf<'Gone'>, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

/** Too many attempts. */
export class TooManyRequests extends CofferError {
  constructor(code: CodeOf<'TooManyRequests'> = 'TOO_MANY_REQUESTS', message = 'Too many attempts: wait and retry.', details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

/**
 * Every cryptographic failure, whatever its cause (bad tag, wrong key, wrong label,
 * truncation, malformed header). One class and one fixed message so failures leak
 * nothing about which check failed.
 */
export class DecryptionFailed extends CofferError {
  constructor() {
    super('DECRYPTION_FAILED' satisfies CodeOf<'DecryptionFailed'>, 'Decryption failed.');
  }
}

/** A dependency (DynamoDB, S3, KMS) failed in a way the caller cannot fix. */
export class ServiceUnavailable extends CofferError {
  constructor(message = 'A backing service is unavailable: retry later.') {
    super('SERVICE_UNAVAILABLE' satisfies CodeOf<'ServiceUnavailable'>, message);
  }
}
