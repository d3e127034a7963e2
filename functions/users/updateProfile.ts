import { getProfile, updateProfile as storeProfile } from '../../shared/server/data/users.js';
import { Unauthorized } from '../../shared/core/errors/index.js';
import { operation } from '../../shared/server/http/Operation.js';
import { updateProfileBody } from '../../shared/core/api/schemas/users.js';

/**
 * The caller's profile change (name, email, designation; always the caller's own). Personal data:
 * the audit event names the fields that changed, never their values.
 */
export const updateProfile = operation({
  body: updateProfileBody,
  audit: ({ body }) => ({ details: { fields: changedFields(body).join(',') } }),
  async run({ body, caller, deps }) {
    await storeProfile(deps.db, caller.userId, body);
    const profile = await getProfile(deps.db, caller.userId, { consistent: true });
    if (!profile) throw new Unauthorized('UNKNOWN_USER', 'This account no longer exists: log in again.');
    return { body: profile };
  },
});

function changedFields(body: Record<string, unknown>): string[] {
  return Object.keys(body).filter((field) => body[field] !== undefined).sort();
}
