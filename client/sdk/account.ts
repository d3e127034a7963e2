import {
  checkPassphraseStrength,
  DEFAULT_KDF,
  deriveUserKeys,
  fromBase64Url,
  importPrivateKey,
  importPublicKey,
  isKdfStrongEnough,
  type KdfCost,
  newKdfParams,
  openPrivateKey,
  sealPrivateKey,
  toBase64Url,
} from '../../shared/core/crypto/index.js';
import { CofferError } from '../../shared/core/errors/index.js';
import type { PreloginResponse } from '../../shared/core/api/schemas/auth.js';
import type { ChangePassphraseBody, OwnProfile, UpdateProfileBody } from '../../shared/core/api/schemas/users.js';
import type { ClientContext } from './ClientContext.js';
import { CofferApiError, InvalidCredentialsError, PassphraseChangedNotLoggedInError, PrivateKeyUnreadableError, WeakKdfError } from './errors.js';
import { isKeyPair, openSession } from './login.js';

export interface ChangePassphraseOptions {
  /** Argon2id cost of the new passphrase; a fresh salt is always drawn. Default: tuning.accountKdf, else production cost (DEFAULT_KDF). */
  kdf?: KdfCost;
}

/** A profile change: `null` removes the e-mail or designation. */
export type ProfileChanges = UpdateProfileBody;

/**
 * Changes the passphrase of the logged-in user. Both passphrases stay on this side: the server
 * gets the current auth key (its proof), the new KDF parameters and auth key, and the same
 * private key sealed under the new passphrase's key. The key pair does not change.
 *
 * The new passphrase must pass the strength check registration applies (zxcvbn, >= 75 bits).
 * The private key sealed anew is the session's, proven at login to belong to our public key and
 * checked against it again here (fetching the sealed copy would take a second login).
 * The change ends every session of the user, this one too: a new one is opened with the new keys
 * (the login also proves the stored blob opens under them). Returns the profile.
 */
export async function changePassphrase(ctx: ClientContext, current: string, next: string, options: ChangePassphraseOptions = {}): Promise<OwnProfile> {
  const session = await ctx.keeper.current();
  const userId = session.userId;
  if (current.normalize('NFKC') === next.normalize('NFKC')) {
    throw new CofferError('SAME_PASSPHRASE', 'The new passphrase is the same as the current one: choose another.');
  }
  const me = await ctx.api.get<OwnProfile>('/users/me');
  const strength = await checkPassphraseStrength(next, [userId, me.name, me.email ?? '', 'coffer']);
  if (!strength.ok) throw new CofferError('WEAK_PASSPHRASE', `Passphrase refused. ${strength.feedback}`);

  const { kdf: currentKdf } = await ctx.api.post<PreloginResponse>('/auth/prelogin', { userId }, { auth: false });
  // Security check, do not remove (as at login): cheap parameters would make the auth key sent a fast oracle for the passphrase.
  if (!ctx.tuning.allowWeakKdf && !isKdfStrongEnough(currentKdf)) throw new WeakKdfError();
  const kdf = newKdfParams(options.kdf ?? ctx.tuning.accountKdf ?? DEFAULT_KDF);
  const [currentKeys, nextKeys] = await Promise.all([deriveUserKeys(current, currentKdf), deriveUserKeys(next, kdf)]);

  const pkcs8 = fromBase64Url(session.privateKeyPkcs8);
  // Security check, do not remove: seal only the private key of our public key on the server
  // (sealing another key would lock us out of everything shared with us).
  if (me.publicKey !== session.publicKeySpki || !(await isKeyPair(await importPublicKey(fromBase64Url(me.publicKey)), await importPrivateKey(pkcs8), userId))) {
    throw new PrivateKeyUnreadableError('the key in this session does not match your public key on the server');
  }
  const sealed = await sealPrivateKey(pkcs8, nextKeys.encryptionKey, userId);
  const reopened = await openPrivateKey(sealed, nextKeys.encryptionKey, userId);
  if (reopened.length !== pkcs8.length || !reopened.every((b, i) => b === pkcs8[i])) throw new Error('sealPrivateKey did not round-trip');

  const body: ChangePassphraseBody = {
    currentAuthKey: toBase64Url(currentKeys.authKey),
    kdf,
    authKey: toBase64Url(nextKeys.authKey),
    encryptedPrivateKey: toBase64Url(sealed),
  };
  try {
    await ctx.api.request<unknown>('PUT', '/users/me/passphrase', { body });
  } catch (error) {
    if (error instanceof CofferApiError && error.code === 'INVALID_CREDENTIALS') throw new InvalidCredentialsError('Wrong current passphrase: nothing was changed.');
    throw error;
  }
  const keepCookie = (await ctx.keeper.peek())?.keepCookie === true;
  try {
    return await openSession(ctx, userId, nextKeys, { keepCookie });
  } catch (error) {
    // The passphrase is changed: the caller must still learn that (and keep the new one).
    throw new PassphraseChangedNotLoggedInError(userId, error);
  }
}

/** Changes the logged-in user's name, e-mail or designation (at least one); returns the profile. */
export function updateProfile(ctx: ClientContext, changes: ProfileChanges): Promise<OwnProfile> {
  return ctx.api.request<OwnProfile>('PUT', '/users/me', { body: changes });
}
