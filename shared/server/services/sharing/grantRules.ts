import type { NodeAccess } from '../../access/resolveAccess.js';
import { Forbidden, Unprocessable } from '../../../core/errors/index.js';
import { grantableUpTo, rank, type Role } from '../../../core/permissions/levels.js';

const YEAR_MS = 366 * 24 * 3600 * 1000;

/** A level the caller may hand out or take away here: up to its own (manager at most), never owner. */
export function checkGrantable(access: NodeAccess, role: Role): void {
  const upTo = grantableUpTo(access.role, {
    kind: access.caller.kind,
    editorsCanShare: access.node.settings?.editorsCanShare ?? true,
  });
  if (!upTo || role === 'owner' || rank(role) > rank(upTo)) {
    throw new Forbidden('LEVEL_TOO_HIGH', `You can grant or change levels up to ${upTo ?? 'none'} here, not ${role}.`);
  }
}

/** An expiry is in the future and at most a year ahead. */
export function checkExpiry(expiresAt: string, now: number): void {
  const at = Date.parse(expiresAt);
  if (!(at > now) || at - now > YEAR_MS) {
    throw new Unprocessable('BAD_EXPIRY', 'An expiry must be in the future and at most a year ahead.');
  }
}
