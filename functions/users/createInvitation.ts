import { createInvitation as storeInvitation, newInvitationCode } from '../../shared/server/data/invitations.js';
import { Forbidden } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { createInvitationBody, type CreateInvitationResponse } from '../../shared/core/api/schemas/invitations.js';

/** How long a guest has to register with a code. */
export const INVITATION_TTL_SECONDS = 7 * 24 * 3600;

/** Invite a guest: a one-time code, shown once; the table keeps only its hash. Members only. */
export const createInvitation = operation({
  body: createInvitationBody,
  async run({ body, caller, deps }) {
    if (caller.kind === 'guest') throw new Forbidden('GUEST_FORBIDDEN', 'Guests cannot invite: ask a member of the organisation.');
    const now = deps.clock();
    const expiresAt = Math.floor(now / 1000) + INVITATION_TTL_SECONDS;
    const { code, hash } = newInvitationCode();
    await storeInvitation(deps.db, hash, {
      invitedBy: caller.userId,
      createdAt: new Date(now).toISOString(),
      expiresAt,
      ...(body.note ? { note: body.note } : {}),
    });
    const response: CreateInvitationResponse = { invitationCode: code, expiresAt: new Date(expiresAt * 1000).toISOString() };
    return { status: 201, body: response };
  },
});
