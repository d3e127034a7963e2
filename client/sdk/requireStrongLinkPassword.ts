import { checkLinkPasswordStrength } from '../../shared/core/crypto/index.js';
import { CofferError } from '../../shared/core/errors/index.js';

/**
 * The link password rule (checkLinkPasswordStrength: at least 10 characters and 40 bits), or
 * WEAK_LINK_PASSWORD saying why. The server never sees the password, so only a client can
 * enforce it: createLink does, and the CLI before asking for it a second time.
 */
export async function requireStrongLinkPassword(password: string): Promise<void> {
  // Not a string, empty or over-long: deriveLinkKeys refuses it with its own message.
  if (typeof password !== 'string' || password.length === 0 || password.length > 1024) return;
  const strength = await checkLinkPasswordStrength(password, ['coffer']);
  if (!strength.ok) throw new CofferError('WEAK_LINK_PASSWORD', `Link password refused. ${strength.feedback}`);
}
