import { CofferError } from '../../shared/core/errors/index.js';

/** Who may open a link (docs/links.md, `audience`); users are user ids. */
export type LinkAudience = { mode: 'anyone' | 'signed-in' | 'members' } | { mode: 'users'; users: string[] };

export const MODE_HELP = 'who may open it: anyone (default), signed-in, members, or users:alice,bob';

/** The server's limits (docs/links.md, createLink). */
export const MAX_LINK_USERS = 50;
export const MAX_LINK_DOWNLOADS = 1_000_000;

const USER_ID = /^[a-z0-9][a-z0-9._-]{1,63}$/;

/**
 * `--mode`: `anyone`, `signed-in`, `members`, or `users:alice,bob` (1 to 50 user ids,
 * `u:alice` read as `alice`, duplicates dropped). Groups cannot be named: a link's
 * audience is people, and the server checks user ids only.
 */
export function parseAudience(value: string): LinkAudience {
  const text = value.trim();
  if (text === 'anyone' || text === 'signed-in' || text === 'members') return { mode: text };
  const users = /^users:(.*)$/s.exec(text);
  if (!users) throw new CofferError('USAGE', `Not a link mode: ${JSON.stringify(value)}. Use ${MODE_HELP}.`);
  const ids = [
    ...new Set(
      users[1]!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => (s.startsWith('u:') ? s.slice(2) : s)),
    ),
  ];
  if (ids.length === 0) throw new CofferError('USAGE', 'Name the users who may open the link: --mode users:alice,bob.');
  const groups = ids.filter((id) => id.startsWith('g:'));
  if (groups.length > 0) throw new CofferError('USAGE', 'A link cannot be limited to a group: name its users (--mode users:alice,bob), or share the document with the group instead.');
  const invalid = ids.filter((id) => !USER_ID.test(id));
  if (invalid.length > 0) throw new CofferError('USAGE', `Not a user id: ${invalid.map((id) => JSON.stringify(id)).join(', ')} (2-64 of a-z 0-9 . _ -).`);
  if (ids.length > MAX_LINK_USERS) throw new CofferError('USAGE', `A link names at most ${MAX_LINK_USERS} users, not ${ids.length}: share the document with a group instead.`);
  return { mode: 'users', users: ids };
}

/** `--max-downloads N`: a whole number from 1 to 1,000,000. */
export function parseMaxDownloads(value: string): number {
  const text = value.trim();
  const n = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LINK_DOWNLOADS) {
    throw new CofferError('USAGE', `Not a download limit: ${JSON.stringify(value)}. Use a whole number from 1 to ${MAX_LINK_DOWNLOADS.toLocaleString('en-US')}.`);
  }
  return n;
}

/** `anyone`, `signed-in`, `members`, `users: alice, bob`. */
export function describeAudience(audience: LinkAudience): string {
  return audience.mode === 'users' ? `users: ${audience.users.join(', ')}` : audience.mode;
}
