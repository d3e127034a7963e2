import type { CreateInvitationBody, CreateInvitationResponse } from '../../shared/core/api/schemas/invitations.js';
import type { ClientContext } from './ClientContext.js';

/**
 * Invites a guest (members only): a one-time code, valid 7 days, shown once. The guest
 * registers with it (`register({ ..., invitationCode })`); guests only see what is shared with them.
 */
export function createInvitation(ctx: ClientContext, note?: string): Promise<CreateInvitationResponse> {
  const body: CreateInvitationBody = note !== undefined ? { note } : {};
  return ctx.api.post<CreateInvitationResponse>('/invitations', body);
}
