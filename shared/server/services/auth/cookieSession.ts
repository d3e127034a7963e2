import { refreshCookie } from '../../auth/refreshCookie.js';
import type { OperationResult } from '../../http/Operation.js';
import type { IssuedSession } from './sessions.js';

/**
 * An answer for the web app (docs/web.md, "Sessions"): the refresh token leaves the body and
 * becomes the HttpOnly cookie; the rest of the answer (tokens, profile) is the body. `kept`: "remember this device" (refreshCookie).
 */
export function cookieSession(answer: IssuedSession, nowMs: number, kept: boolean): OperationResult {
  const { refreshToken, ...body } = answer;
  return { body, cookies: [refreshCookie(refreshToken, Date.parse(answer.refreshExpiresAt), nowMs, kept)] };
}
