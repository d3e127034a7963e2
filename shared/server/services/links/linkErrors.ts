import { type CodeOf, Forbidden, Gone, TooManyRequests, Unauthorized, ValidationFailed } from '../../../core/errors/index.js';
import type { LinkKdf } from '../../../core/api/schemas/links.js';

export { linkNotFound } from '../../data/links.js';

/**
 * The stable errors of a link open (docs/links.md, "Errors"). Messages say what to do and never
 * carry a token, proof or verifier.
 */
export const linkExpired = () => new Gone('LINK_EXPIRED', 'This link has expired: ask its owner for a new one.');
export const linkExhausted = () => new Gone('LINK_EXHAUSTED', 'This link has reached its download limit: ask its owner for a new one.');
export const linkStale = () => new Gone('LINK_STALE', "The document's key has changed since this link was made: ask its owner for a new link.");
export const linkLocked = (lockedUntil: string) =>
  new TooManyRequests('LINK_LOCKED', `Too many wrong passwords: this link is locked until ${lockedUntil}.`, { lockedUntil });
export const linkPasswordWrong = () => new Unauthorized('LINK_PASSWORD_WRONG', 'Wrong password for this link.');
export const linkSignInRequired = () => new Unauthorized('LINK_SIGN_IN_REQUIRED', 'This link is for signed-in users: log in and open it again.');
export const linkMembersOnly = () => new Forbidden('LINK_MEMBERS_ONLY', 'This link is for members only: guests cannot open it.');
export const linkUserNotAllowed = () => new Forbidden('LINK_USER_NOT_ALLOWED', 'This link is for other users only.');

/** 401 with the Argon2id cost the client needs to derive the proof (the cost is not secret). */
export const linkPasswordRequired = (kdf: LinkKdf) => new Unauthorized('LINK_PASSWORD_REQUIRED', 'This link needs its password.', { kdf });

/** A ValidationFailed (400) with its own code. */
export class InvalidExpiry extends ValidationFailed {
  override readonly code: CodeOf<'ValidationFailed'> = 'INVALID_EXPIRY';

  constructor(maxSeconds: number) {
    super(`The link must expire after now and at most ${maxSeconds} seconds from now.`);
  }
}
