import type { Deps } from '../../config/Deps.js';
import { createInvitation, newInvitationCode } from '../../data/invitations.js';
import { Forbidden } from '../../../core/errors/index.js';
import type { Caller } from '../../http/Operation.js';
import type { CreateInvitationResponse } from '../../../core/api/schemas/invitations.js';

/** How long a guest has to register with a code. */
export const INVITATION_TTL_SECONDS = 7 * 24 * 3600;

/** A guest's invitation: a one-time code, shown once; the table keeps only its hash. Members only. */
export async function inviteGuest(deps: Deps, caller: Caller, note: string | undefined): Promise<CreateInvitationResponse> {
  if (caller.kind === 'guest') throw new Forbidden('GUEST_FORBIDDEN', 'Guests cannot invite: ask a member of the organisation.');
  const now = deps.clock();
  const expiresAt = Math.floor(now / 1000) + INVITATION_TTL_SECONDS;
  const { code, hash } = newInvitationCode();
  await createInvitation(deps.db, hash, {
    invitedBy: caller.userId,
    createdAt: new Date(now).toISOString(),
    expiresAt,
    ...(note ? { note } : {}),
  });
  return { invitationCode: code, expiresAt: new Date(expiresAt * 1000).toISOString() };
}
