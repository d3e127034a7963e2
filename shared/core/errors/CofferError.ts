import type { ErrorCode, UnregisteredCode } from './errorCodes.js';

/**
 * The one base error of Coffer. Every failure a client may see carries a stable
 * `code` (part of the public API: never rename one; errorCodes.ts lists them all) and a message
 * that is safe to show: it never contains a key, token, passphrase, stack trace or plaintext name.
 * The code is registered, or, only on an error the SDK decoded, a newer server's own.
 */
export class CofferError extends Error {
  readonly code: ErrorCode | UnregisteredCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode | UnregisteredCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    if (details) this.details = details;
  }
}
