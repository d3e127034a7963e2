import { z } from 'zod';
import { base64url, userId } from './common.js';
import type { OwnProfile } from './users.js';

export const preloginBody = z.strictObject({ userId });

export const tokenBody = z.strictObject({
  userId,
  authKey: base64url(43, 43),
  /**
   * `cookie`: the web app's session. The refresh token is set as an HttpOnly cookie scoped to
   * /auth/session and left out of the body; without it, the bearer flow (the token in the body).
   */
  session: z.literal('cookie').optional(),
  /**
   * With `session: 'cookie'`: the person chose "remember this device", so the cookie outlives the
   * browser (Max-Age). Without it the cookie is the browser session's and goes when it closes.
   */
  remember: z.literal(true).optional(),
}).refine((b) => !b.remember || b.session === 'cookie', { message: 'remember goes with a cookie session', path: ['remember'] });

/** `POST /auth/session/refresh`: `remember` keeps the rotated cookie beyond the browser session, as at sign-in. */
export const sessionRefreshBody = z.strictObject({ remember: z.literal(true).optional() });

export const refreshBody = z.strictObject({ refreshToken: base64url(43, 43) });

export interface PreloginResponse {
  kdf: { algorithm: 'argon2id'; memoryKiB: number; iterations: number; parallelism: number; salt: string };
}

export interface TokenResponse {
  accessToken: string;
  tokenType: 'Bearer';
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
  /** Sealed on the client; the server removed only its own KMS layer. */
  encryptedPrivateKey: string;
  user: OwnProfile;
}

/** `POST /auth/token` with `session: 'cookie'`: the refresh token is in the Set-Cookie header only. */
export type CookieTokenResponse = Omit<TokenResponse, 'refreshToken'>;

/** `POST /auth/session/refresh`: a new access token; the rotated refresh token is in the Set-Cookie header only. */
export interface SessionRefreshResponse {
  accessToken: string;
  tokenType: 'Bearer';
  expiresAt: string;
  refreshExpiresAt: string;
}
