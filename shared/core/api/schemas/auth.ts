import { z } from 'zod';
import { base64url, userId } from './common.js';
import type { OwnProfile } from './users.js';

export const preloginBody = z.strictObject({ userId });

export const tokenBody = z.strictObject({ userId, authKey: base64url(43, 43) });

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
