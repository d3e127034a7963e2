/**
 * The one base error of Coffer. Every failure a client may see carries a stable
 * `code` (part of the public API: never rename one) and a message that is safe to
 * show: it never contains a key, token, passphrase, stack trace or plaintext name.
 */
export class CofferError extends Error {
  readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    if (details) this.details = details;
  }
}
