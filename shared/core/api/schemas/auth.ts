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
});

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
