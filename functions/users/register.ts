import { operation } from '../../shared/server/http/Operation.js';
import { registerBody } from '../../shared/core/api/schemas/users.js';
import { registerUser } from '../../shared/server/services/users/registerUser.js';

/**
 * Self-registration: the client sends only public and sealed material. With an
 * invitation code the account is a guest's, and the code is spent in the same
 * transaction that creates the user.
 */
export const register = operation({
  body: registerBody,
  audit: ({ body }) => ({ resource: { kind: 'user', id: body.userId } }),
  async run({ body, deps }) {
    return { status: 201, body: await registerUser(deps, body) };
  },
});
