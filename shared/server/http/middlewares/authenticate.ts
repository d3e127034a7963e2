import { Unauthorized } from '../../../core/errors/index.js';
import { header } from '../parseInput.js';
import { type AreaMiddleware, type AreaRequest, areaState } from './AreaRequest.js';

/** A compact JWS: three base64url parts. */
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * Bearer authentication of a signed-in request (resolveOperation decides which): the
 * Authorization header only, never a query string, verified by the area's AccessTokens. A
 * missing, malformed or invalid token is a 401; a request that needs none is left anonymous.
 */
export function authenticate(): AreaMiddleware {
  const authenticateBefore = async (request: AreaRequest): Promise<void> => {
    const state = areaState(request);
    if (!state.signedIn) return;
    const value = header(request.event, 'authorization');
    const match = value ? BEARER.exec(value) : null;
    if (!match) throw new Unauthorized('MISSING_TOKEN', 'Send an access token: Authorization: Bearer <token>.');
    const claims = await state.deps.tokens.verify(match[1]!);
    state.caller = { userId: claims.sub, kind: claims.kind };
  };

  return { name: 'authenticate', before: authenticateBefore };
}
