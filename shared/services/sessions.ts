import { randomUUID } from 'node:crypto';
import { newRefreshToken } from '../auth/refreshTokens.js';
import type { Deps } from '../config/Deps.js';
import { type RefreshTokenItem, rotateRefreshToken, startRefreshFamily } from '../data/refreshTokens.js';

export interface IssuedSession {
  accessToken: string;
  tokenType: 'Bearer';
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
}

function nextRefresh(deps: Deps, userId: string, familyId: string, expiresAtSeconds?: number) {
  const { token, hash } = newRefreshToken();
  const now = deps.clock();
  const item: RefreshTokenItem = {
    hash,
    userId,
    familyId,
    issuedAt: new Date(now).toISOString(),
    // A rotated token keeps its family's absolute expiry: refreshing never extends a login forever.
    expiresAt: expiresAtSeconds ?? Math.floor(now / 1000) + deps.settings.refreshTokenTtlSeconds,
  };
  return { token, item };
}

async function session(deps: Deps, userId: string, refresh: { token: string; item: RefreshTokenItem }): Promise<IssuedSession> {
  const access = await deps.tokens.issue({ sub: userId, kind: 'member' });
  return {
    accessToken: access.token,
    tokenType: 'Bearer',
    expiresAt: access.expiresAt.toISOString(),
    refreshToken: refresh.token,
    refreshExpiresAt: new Date(refresh.item.expiresAt * 1000).toISOString(),
  };
}

/** Login: a new refresh-token family and an access token. */
export async function startSession(deps: Deps, userId: string): Promise<IssuedSession> {
  const refresh = nextRefresh(deps, userId, randomUUID());
  await startRefreshFamily(deps.db, refresh.item);
  return session(deps, userId, refresh);
}

/** Refresh: rotate within the family; the old token can never be used again. */
export async function rotateSession(deps: Deps, old: RefreshTokenItem): Promise<IssuedSession> {
  const refresh = nextRefresh(deps, old.userId, old.familyId, old.expiresAt);
  await rotateRefreshToken(deps.db, old, refresh.item);
  return session(deps, old.userId, refresh);
}
