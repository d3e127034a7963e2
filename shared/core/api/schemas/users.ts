import { z } from 'zod';
import { base64url, kdfParams, publicKeySpki, userId } from './common.js';
import { invitationCode } from './invitations.js';

export const registerBody = z.strictObject({
  userId,
  name: z.string().trim().min(1).max(100),
  email: z.email().max(254).optional(),
  designation: z.string().trim().max(100).optional(),
  publicKey: publicKeySpki,
  /** The private key sealed on the client under the passphrase-derived key. */
  encryptedPrivateKey: base64url(16, 4096),
  kdf: kdfParams,
  /** HKDF output from the passphrase; never the passphrase itself. */
  authKey: base64url(43, 43),
  /** A member's one-time invitation: the account is a guest's. Without it, a member's. */
  invitationCode: invitationCode.optional(),
});
export type RegisterBody = z.infer<typeof registerBody>;

/**
 * PUT /users/me/passphrase: proof of the current passphrase (its auth key, checked as a login
 * checks it) and the new material. The key pair stays: only its sealing changes.
 */
export const changePassphraseBody = z.strictObject({
  /** The auth key of the current passphrase. */
  currentAuthKey: base64url(43, 43),
  /** Fresh Argon2id parameters (a new salt) for the new passphrase. */
  kdf: kdfParams,
  /** The auth key of the new passphrase. */
  authKey: base64url(43, 43),
  /** The same private key, sealed on the client under the new passphrase's encryption key. */
  encryptedPrivateKey: base64url(16, 4096),
});
export type ChangePassphraseBody = z.infer<typeof changePassphraseBody>;

/** PUT /users/me: the fields to change, at least one; `null` removes an optional one. */
export const updateProfileBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    email: z.email().max(254).nullable().optional(),
    designation: z.string().trim().min(1).max(100).nullable().optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), { message: 'Give at least one of name, email, designation.' });
export type UpdateProfileBody = z.infer<typeof updateProfileBody>;

export const lookupUsersQuery = z.strictObject({
  ids: z
    .string()
    .max(100 * 65)
    .transform((s) => s.split(',').filter((x) => x.length > 0))
    .pipe(z.array(userId).min(1).max(100)),
});

export interface PublicProfile {
  userId: string;
  name: string;
  designation?: string;
  kind: 'member' | 'guest';
  publicKey: string;
  fingerprint: string;
}

export interface OwnProfile extends PublicProfile {
  email?: string;
  createdAt: string;
}

export interface LookupUsersResponse {
  users: PublicProfile[];
  unknownUserIds: string[];
}
