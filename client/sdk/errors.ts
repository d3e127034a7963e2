import { CofferError, type ErrorCode, type UnregisteredCode } from '../../shared/core/errors/index.js';

/**
 * Errors the SDK raises. All extend the house `CofferError`, so callers switch on the
 * stable `code`; messages are safe to show and say what to do.
 */

/**
 * The server answered with an error (`{ error: { code, message, details? } }`) or an unexpected status.
 * Its code may be one this build does not know (a newer server's): see `receivedCode`.
 */
export class CofferApiError extends CofferError {
  readonly status: number;

  constructor(status: number, code: ErrorCode | UnregisteredCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.status = status;
  }
}

/** fetch itself failed: DNS, refused connection, TLS, reset. */
export class ServerUnreachableError extends CofferError {
  readonly url: string;

  constructor(url: string, cause?: unknown) {
    super('SERVER_UNREACHABLE', `Cannot reach the Coffer server at ${url}.`);
    this.url = url;
    if (cause !== undefined) this.cause = cause;
  }
}

/** An operation needs a session and there is none. */
export class NotLoggedInError extends CofferError {
  constructor() {
    super('NOT_LOGGED_IN', 'Not logged in.');
  }
}

/** The refresh token was refused: the session is over and the user must log in again. */
export class SessionExpiredError extends CofferError {
  constructor(userId: string) {
    super('SESSION_EXPIRED', `The session of ${userId} has expired: log in again.`, { userId });
  }
}

/** Wrong user id or passphrase: the two are indistinguishable on purpose. */
export class InvalidCredentialsError extends CofferError {
  constructor(message = 'Wrong user id or passphrase.') {
    super('INVALID_CREDENTIALS', message);
  }
}

/** The server sealed blob does not open although the server accepted the auth key: tampering or corruption. */
export class PrivateKeyUnreadableError extends CofferError {
  constructor(reason: string) {
    super('PRIVATE_KEY_UNREADABLE', `Your private key could not be opened (${reason}). The server may be compromised: do not continue, report it.`);
  }
}

/** Recipients the server does not know. */
export class UnknownUsersError extends CofferError {
  readonly userIds: string[];

  constructor(userIds: string[]) {
    super('UNKNOWN_USERS', `No such user${userIds.length === 1 ? '' : 's'}: ${userIds.join(', ')}.`, { userIds });
    this.userIds = userIds;
  }
}

/**
 * A user's public key differs from the one pinned on first sight (TOFU). Wrapping a
 * document key for an unverified key could hand the document to whoever swapped it,
 * so this is never accepted silently. Security check: do not remove.
 */
export class KeyChangedError extends CofferError {
  readonly userId: string;
  readonly pinnedFingerprint: string;
  readonly presentedFingerprint: string;

  /** `userId`: a user id, or a group's principal id `g:<groupId>`. */
  constructor(userId: string, pinnedFingerprint: string, presentedFingerprint: string) {
    const group = userId.startsWith('g:');
    super(
      'KEY_CHANGED',
      `The public key of ${group ? 'group ' : ''}${userId} has changed.\n` +
        `  pinned:    ${pinnedFingerprint}\n` +
        `  presented: ${presentedFingerprint}\n` +
        (group
          ? `This happens when a member was removed (the group's key rotates), or when someone substitutes its key. ` +
            `Check the new fingerprint with a member of the group over another channel, then accept it with `
          : `This happens when ${userId} registered again, or when someone substitutes their key. ` +
            `Check the new fingerprint with ${userId} over another channel, then accept it with `) +
        `\`--accept-new-key ${userId}\` (SDK: trustNewKey('${userId}')).`,
      { userId, pinnedFingerprint, presentedFingerprint },
    );
    this.userId = userId;
    this.pinnedFingerprint = pinnedFingerprint;
    this.presentedFingerprint = presentedFingerprint;
  }
}

/** The server's stated fingerprint is not the SHA-256 of the key it sent: a broken or lying server. */
export class KeyMismatchError extends CofferError {
  constructor(userId: string) {
    super(
      'KEY_FINGERPRINT_MISMATCH',
      `The server sent a public key for ${userId} that does not match its stated fingerprint: refusing to use it.`,
      { userId },
    );
  }
}

/** The presigned object storage (S3) refused or failed a transfer. */
export class StorageError extends CofferError {
  readonly status: number;

  constructor(status: number, message: string) {
    super('STORAGE_ERROR', message, { status });
    this.status = status;
  }
}

/** The server's upload instructions do not fit what the client is about to send. */
export class UploadPlanError extends CofferError {
  constructor(message: string) {
    super('UPLOAD_PLAN_MISMATCH', message);
  }
}

/** The source produced a different number of bytes than declared. */
export class SizeMismatchError extends CofferError {
  constructor(declared: number, actual: number) {
    super('SIZE_MISMATCH', `The source has ${actual} bytes, but ${declared} were declared: did the file change during upload?`, {
      declared,
      actual,
    });
  }
}

/** The server handed out key-derivation parameters below the production floor. */
export class WeakKdfError extends CofferError {
  constructor() {
    super(
      'WEAK_KDF',
      'The server asked for key-derivation parameters below the production minimum: refusing to send a key derived this cheaply. ' +
        'Only test accounts use them (allow with COFFER_ALLOW_WEAK_KDF=1 / allowWeakKdf).',
    );
  }
}

/** POST /users succeeded but the login that follows failed: the account exists, the passphrase is live. */
export class RegisteredNotLoggedInError extends CofferError {
  constructor(userId: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('REGISTERED_NOT_LOGGED_IN', `The account ${userId} was created, but logging in failed (${reason}). Log in with the same passphrase.`, {
      userId,
    });
    this.cause = cause;
  }
}

/** The passphrase was changed (every session ended with it), but opening a new session failed: log in with the new passphrase. */
export class PassphraseChangedNotLoggedInError extends CofferError {
  constructor(userId: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('PASSPHRASE_CHANGED_NOT_LOGGED_IN', `The passphrase of ${userId} was changed, but logging in again failed (${reason}). Log in with the new passphrase.`, {
      userId,
    });
    this.cause = cause;
  }
}

/**
 * A full download's ciphertext is not the one its uploader recorded (docs/versions.md
 * "Integrity"): its digest differs, or it is longer or shorter than the recorded size. The
 * stored object was swapped (another version or upload), truncated, extended or altered.
 * The stream fails at its end, so nothing read from it may be used. Security check: do not remove.
 */
export class IntegrityMismatchError extends CofferError {
  readonly documentId: string;
  readonly version: number;

  constructor(documentId: string, version: number) {
    super(
      'INTEGRITY_MISMATCH',
      `Integrity check failed: the stored content of document ${documentId} (version ${version}) is not what its uploader sent ` +
        '(it was replaced, truncated or altered). Discard anything received; report it to whoever runs the server.',
      { documentId, version },
    );
    this.documentId = documentId;
    this.version = version;
  }
}
