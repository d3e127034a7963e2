import { auditNote } from '../../audit/requestAudit.js';
import { randomUUID } from 'node:crypto';
import type { PrincipalKind } from '../../auth/AccessTokens.js';
import { newRefreshToken } from '../../auth/refreshTokens.js';
import type { Deps } from '../../config/Deps.js';
import { type RefreshTokenItem, rotateRefreshToken, startRefreshFamily } from '../../data/refreshTokens.js';
import { getProfile } from '../../data/users.js';
import { Unauthorized } from '../../../core/errors/index.js';

export interface IssuedSession {
  accessToken: string;
  tokenType: 'Bearer';
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
}

function nextRefresh(deps: Deps, userId: string, familyId: string, sessionEpoch: number, expiresAtSeconds?: number) {
  const { token, hash } = newRefreshToken();
  const now = deps.clock();
  const item: RefreshTokenItem = {
    hash,
    userId,
    familyId,
    issuedAt: new Date(now).toISOString(),
    // A rotated token keeps its family's absolute expiry: refreshing never extends a login forever.
    expiresAt: expiresAtSeconds ?? Math.floor(now / 1000) + deps.settings.refreshTokenTtlSeconds,
    ...(sessionEpoch !== 0 && { sessionEpoch }),
  };
  return { token, item };
}

async function session(deps: Deps, userId: string, kind: PrincipalKind, refresh: { token: string; item: RefreshTokenItem }): Promise<IssuedSession> {
  const access = await deps.tokens.issue({ sub: userId, kind });
  return {
    accessToken: access.token,
    tokenType: 'Bearer',
    expiresAt: access.expiresAt.toISOString(),
    refreshToken: refresh.token,
    refreshExpiresAt: new Date(refresh.item.expiresAt * 1000).toISOString(),
  };
}

/**
 * Login: a new refresh-token family and an access token carrying the profile's kind (member or
 * guest). `sessionEpoch`: the credentials' epoch the login checked (a later passphrase change ends the session).
 */
export async function startSession(deps: Deps, userId: string, kind: PrincipalKind, sessionEpoch: number): Promise<IssuedSession> {
  const refresh = nextRefresh(deps, userId, randomUUID(), sessionEpoch);
  await startRefreshFamily(deps.db, refresh.item);
  return session(deps, userId, kind, refresh);
}

/** Refresh: rotate within the family; the old token can never be used again. */
export async function rotateSession(deps: Deps, old: RefreshTokenItem): Promise<IssuedSession> {
  // The kind comes from the profile on every refresh: a guest's session never becomes a member's.
  const profile = await getProfile(deps.db, old.userId);
  if (!profile) throw new Unauthorized('UNKNOWN_USER', 'This account no longer exists: log in again.');
  auditNote({ actor: { kind: profile.kind === 'guest' ? 'guest' : 'user', id: old.userId } });
  const refresh = nextRefresh(deps, old.userId, old.familyId, old.sessionEpoch ?? 0, old.expiresAt);
  await rotateRefreshToken(deps.db, old, refresh.item);
  return session(deps, old.userId, profile.kind, refresh);
}
