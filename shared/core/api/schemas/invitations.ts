import { z } from 'zod';

/**
 * A guest invitation code: 32 random bytes, base64url (43 characters), canonical (the last
 * character leaves its 2 spare bits zero, so no two strings name the same code).
 */
export const invitationCode = z
  .string()
  .regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/, 'must be an invitation code: 43 base64url characters');

export const createInvitationBody = z.strictObject({
  /** For the inviter's own records: who the guest is. */
  note: z.string().trim().min(1).max(200).optional(),
});
export type CreateInvitationBody = z.infer<typeof createInvitationBody>;

export interface CreateInvitationResponse {
  /** Shown once: the server keeps only its SHA-256. */
  invitationCode: string;
  expiresAt: string;
}
