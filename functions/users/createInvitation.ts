import { operation } from '../../shared/server/http/Operation.js';
import { createInvitationBody } from '../../shared/core/api/schemas/invitations.js';
import { inviteGuest } from '../../shared/server/services/users/inviteGuest.js';

/** Invite a guest: a one-time code, shown once; the table keeps only its hash. Members only. */
export const createInvitation = operation({
  body: createInvitationBody,
  async run({ body, caller, deps }) {
    return { status: 201, body: await inviteGuest(deps, caller, body.note) };
  },
});
