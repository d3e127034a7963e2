import { fromBase64Url, importPublicKey } from '../../shared/core/crypto/index.js';
import type { OwnProfile } from '../../shared/core/api/schemas/users.js';
import type { ClientContext } from './ClientContext.js';
import { CofferApiError, PrivateKeyUnreadableError, SessionExpiredError } from './errors.js';
import { isKeyPair } from './login.js';
import type { Session } from './Session.js';
import type { RefreshedTokens } from './SessionKeeper.js';

/**
 * A web browser's remembered device (docs/web.md, "Remember this device"): the private key as a
 * non-extractable CryptoKey (script can use it, never read its bytes), and the public key it was
 * proven against at the sign-in that stored it.
 */
export interface RememberedDevice {
  userId: string;
  privateKey: CryptoKey;
  /** base64url SPKI DER. */
  publicKeySpki: string;
  /** SHA-256 of `publicKeySpki`, lower-case hex. */
  fingerprint: string;
}

/**
 * Resume a cookie session without the passphrase: `refresh` spends the browser's refresh cookie
 * for an access token; then the account must still be `device`'s, with the same public key, and
 * the private key must still unwrap what that public key wraps. Anything else ends the session.
 */
export async function resumeSession(ctx: ClientContext, device: RememberedDevice, refresh: () => Promise<RefreshedTokens>): Promise<OwnProfile> {
  let tokens: RefreshedTokens;
  try {
    tokens = await refresh();
  } catch (error) {
    if (error instanceof CofferApiError && (error.status === 401 || error.status === 400)) throw new SessionExpiredError(device.userId);
    throw error;
  }
  const session: Session = {
    serverUrl: ctx.api.baseUrl,
    userId: device.userId,
    accessToken: tokens.accessToken,
    accessExpiresAt: tokens.expiresAt,
    refreshToken: '',
    refreshExpiresAt: tokens.refreshExpiresAt,
    privateKeyPkcs8: '',
    privateKey: device.privateKey,
    publicKeySpki: device.publicKeySpki,
    fingerprint: device.fingerprint,
    // A remembered device's cookie is the kept kind (it is how this session survived the browser).
    keepCookie: true,
  };
  await ctx.keeper.start(session);
  try {
    const me = await ctx.api.get<OwnProfile>('/users/me');
    // The cookie may be another account's (someone else signed in since): not this device's session.
    if (me.userId !== device.userId) throw new SessionExpiredError(device.userId);
    // Security check, do not remove: the server's public key for us must still be the one this key was proven against.
    if (me.publicKey !== device.publicKeySpki || me.fingerprint !== device.fingerprint) {
      throw new PrivateKeyUnreadableError('your public key on the server changed since this device was remembered');
    }
    if (!(await isKeyPair(await importPublicKey(fromBase64Url(device.publicKeySpki)), device.privateKey, device.userId))) {
      throw new PrivateKeyUnreadableError('the remembered key does not match your public key');
    }
    await ctx.recipients.pinVerified(device.userId, device.fingerprint);
    return me;
  } catch (error) {
    await ctx.keeper.end();
    throw error;
  }
}
