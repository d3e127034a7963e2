import {
  deriveUserKeys,
  fingerprint,
  fromBase64Url,
  generateDataKey,
  importPrivateKey,
  isKdfStrongEnough,
  importPublicKey,
  openPrivateKey,
  toBase64Url,
  unwrapKey,
  wrapKey,
} from '../../shared/core/crypto/index.js';
import type { CookieTokenResponse, PreloginResponse, TokenResponse } from '../../shared/core/api/schemas/auth.js';
import type { OwnProfile } from '../../shared/core/api/schemas/users.js';
import { type ClientContext, CSRF_HEADERS } from './ClientContext.js';
import { CofferApiError, InvalidCredentialsError, KeyMismatchError, PrivateKeyUnreadableError, WeakKdfError } from './errors.js';
import type { Session } from './Session.js';

export interface UserKeys {
  authKey: Uint8Array;
  encryptionKey: CryptoKey;
}

export interface LoginOptions {
  /**
   * A cookie session only (the web app's "remember this device"): the refresh cookie outlives the
   * browser session. Without it the browser drops the cookie when it closes.
   */
  keepCookie?: boolean;
}

/** POST /auth/prelogin -> derive the keys from the passphrase -> open a session. */
export async function login(ctx: ClientContext, userId: string, passphrase: string, options: LoginOptions = {}): Promise<OwnProfile> {
  const { kdf } = await ctx.api.post<PreloginResponse>('/auth/prelogin', { userId }, { auth: false });
  // Security check, do not remove: a hostile server could hand out cheap parameters to make
  // the auth key it receives a fast oracle for guessing the passphrase.
  if (!ctx.tuning.allowWeakKdf && !isKdfStrongEnough(kdf)) throw new WeakKdfError();
  const keys = await deriveUserKeys(passphrase, kdf);
  return openSession(ctx, userId, keys, options);
}

/**
 * POST /auth/token with the derived auth key, then open the sealed private key and
 * prove the server's copy of our public key belongs to it before trusting it: a
 * substituted own key would make every upload readable by whoever substituted it.
 */
export async function openSession(ctx: ClientContext, userId: string, keys: UserKeys, options: LoginOptions = {}): Promise<OwnProfile> {
  let tokens: TokenResponse | CookieTokenResponse;
  const cookie = ctx.session === 'cookie';
  const keepCookie = cookie && options.keepCookie === true;
  try {
    tokens = await ctx.api.post<TokenResponse | CookieTokenResponse>(
      '/auth/token',
      { userId, authKey: toBase64Url(keys.authKey), ...(cookie && { session: 'cookie' }), ...(keepCookie && { remember: true }) },
      { auth: false, ...(cookie && { headers: { ...CSRF_HEADERS } }) },
    );
  } catch (error) {
    if (error instanceof CofferApiError && error.status === 401) throw new InvalidCredentialsError();
    throw error;
  }
  if (tokens.user.userId !== userId) throw new PrivateKeyUnreadableError('the server answered for another user');

  let pkcs8: Uint8Array;
  try {
    pkcs8 = await openPrivateKey(fromBase64Url(tokens.encryptedPrivateKey), keys.encryptionKey, userId);
  } catch {
    throw new PrivateKeyUnreadableError('it does not decrypt under your passphrase');
  }
  const spki = fromBase64Url(tokens.user.publicKey);
  const fp = await fingerprint(spki);
  if (fp !== tokens.user.fingerprint) throw new KeyMismatchError(userId);
  // Security check, do not remove: the public key must belong to our private key.
  if (!(await isKeyPair(await importPublicKey(spki), await importPrivateKey(pkcs8), userId))) {
    throw new PrivateKeyUnreadableError('it does not match your public key on the server');
  }

  const session: Session = {
    serverUrl: ctx.api.baseUrl,
    userId,
    accessToken: tokens.accessToken,
    accessExpiresAt: tokens.expiresAt,
    // A cookie session's refresh token is the browser's, out of script's reach: none here.
    refreshToken: 'refreshToken' in tokens ? tokens.refreshToken : '',
    refreshExpiresAt: tokens.refreshExpiresAt,
    privateKeyPkcs8: toBase64Url(pkcs8),
    publicKeySpki: tokens.user.publicKey,
    fingerprint: fp,
    ...(keepCookie && { keepCookie }),
  };
  await ctx.keeper.start(session);
  await ctx.recipients.pinVerified(userId, fp);
  return tokens.user;
}

/** Wrap a random key with the public key and unwrap it with the private one (~3 ms). */
export async function isKeyPair(publicKey: CryptoKey, privateKey: CryptoKey, userId: string): Promise<boolean> {
  const probe = generateDataKey();
  const label = { kind: 'dek', resourceId: 'key-pair-check', generation: 1, recipientId: userId } as const;
  try {
    const back = await unwrapKey(privateKey, await wrapKey(publicKey, probe, label), label);
    return back.length === probe.length && back.every((b, i) => b === probe[i]);
  } catch {
    return false;
  }
}
