import { DEFAULT_KDF, deriveLinkKeys, formatLinkUrl, newLinkSecret, wrapKeyForLink, type KdfCost } from '../../shared/core/crypto/index.js';
import { ValidationFailed } from '../../shared/core/errors/index.js';
import type { CreateLinkResponse, LinkAccess, LinkAudience, LinkState, LinkSummary, ListLinksResponse } from '../../shared/core/api/schemas/links.js';
import type { ClientContext } from './ClientContext.js';
import { nodeKey } from './folders.js';
import { nodePath } from './paths.js';
import { isApiError } from './retry.js';
import { requireStrongLinkPassword } from './requireStrongLinkPassword.js';

/**
 * Public share links (docs/links.md): create, list and revoke. The link secret is made here
 * and goes only into the returned URL's fragment; the server gets the token it minted, the
 * node key wrapped under the link key, and (with a password) the proof. Opening: openLink.ts,
 * re-exported here so the whole link API is reachable from this file.
 */
export { openLink, type LinkedNode, type OpenedLink, type OpenLinkOptions } from './openLink.js';
export type { LinkAccess, LinkAudience, LinkState, LinkSummary };

export interface CreateLinkOptions {
  /** Default: the server's (7 days). */
  expiresAt?: Date;
  access?: LinkAccess;
  maxDownloads?: number;
  /** Derived with tuning.linkKdf ?? DEFAULT_KDF; the recipient needs it as well as the URL. */
  password?: string;
  /** User ids for mode 'users'. */
  audience?: LinkAudience;
}

export interface CreatedLink {
  /** `<serverUrl>/l/<token>#<secret>`: shown once, never stored by the server. */
  url: string;
  link: LinkSummary;
}

export interface ListLinksOptions {
  cursor?: string;
  limit?: number;
}

/** POST /nodes/{id}/links */
interface CreateLinkBody {
  wrappedKey: string;
  keyGeneration: number;
  access?: LinkAccess;
  expiresAt?: string;
  maxDownloads?: number;
  password?: { proof: string; kdf: KdfCost };
  audience?: LinkAudience;
}

const ACCESS: readonly LinkAccess[] = ['download', 'view'];
const MODES = ['anyone', 'signed-in', 'members', 'users'] as const;
const MAX_DOWNLOADS = 1_000_000;
/** One retry when the node's key rotated between reading it and creating the link. */
const CREATE_ATTEMPTS = 2;

/**
 * Creates a link to a document or folder: a fresh secret, the link key derived from it (and
 * the password), the node key (opened as everywhere else, from its key path) wrapped under it.
 */
export async function createLink(ctx: ClientContext, nodeId: string, options: CreateLinkOptions = {}): Promise<CreatedLink> {
  const settings = linkSettings(options);
  if (options.password !== undefined) await requireStrongLinkPassword(options.password);
  const secret = newLinkSecret();
  const kdf = ctx.tuning.linkKdf ?? DEFAULT_KDF;
  const keys = await deriveLinkKeys(secret, options.password !== undefined ? { password: options.password, kdf } : undefined);
  try {
    const password = keys.proof ? { password: { proof: keys.proof, kdf: costOf(kdf) } } : {};
    for (let attempt = 1; ; attempt++) {
      const node = await nodeKey(ctx, nodeId);
      let wrappedKey: string;
      try {
        wrappedKey = await wrapKeyForLink(keys.linkKey, node.key, { nodeId, keyGeneration: node.keyGeneration });
      } finally {
        node.key.fill(0);
      }
      const body: CreateLinkBody = { wrappedKey, keyGeneration: node.keyGeneration, ...settings, ...password };
      try {
        const created = await ctx.api.post<CreateLinkResponse>(`${nodePath(nodeId)}/links`, body);
        return { url: formatLinkUrl(ctx.api.baseUrl, created.token, secret), link: created.link };
      } catch (error) {
        if (!isApiError(error, 409, 'KEY_GENERATION_MISMATCH') || attempt >= CREATE_ATTEMPTS) throw error;
      }
    }
  } finally {
    keys.linkKey.fill(0);
  }
}

/** A node's links, oldest first (needs `share` on the node). */
export async function listLinks(ctx: ClientContext, nodeId: string, options: ListLinksOptions = {}): Promise<{ links: LinkSummary[]; cursor?: string }> {
  const page = await ctx.api.get<ListLinksResponse>(`${nodePath(nodeId)}/links`, {
    query: { limit: options.limit, cursor: options.cursor },
  });
  return { links: page.links, ...(page.cursor ? { cursor: page.cursor } : {}) };
}

/** Deletes a link: its URL answers LINK_NOT_FOUND from now on. */
export async function revokeLink(ctx: ClientContext, linkId: string): Promise<void> {
  await ctx.api.delete<unknown>(`/links/${encodeURIComponent(linkId)}`);
}

/** The body fields from the options, checked here so a mistake costs no key derivation or request. */
function linkSettings(options: CreateLinkOptions): Omit<CreateLinkBody, 'wrappedKey' | 'keyGeneration' | 'password'> {
  if (typeof options !== 'object' || options === null) throw new ValidationFailed('The link options must be an object.');
  const out: Omit<CreateLinkBody, 'wrappedKey' | 'keyGeneration' | 'password'> = {};
  if (options.access !== undefined) {
    if (!ACCESS.includes(options.access)) throw new ValidationFailed(`The link access must be one of ${ACCESS.join(', ')}.`);
    out.access = options.access;
  }
  if (options.expiresAt !== undefined) {
    if (!(options.expiresAt instanceof Date) || Number.isNaN(options.expiresAt.getTime())) {
      throw new ValidationFailed('The link expiry must be a valid Date.');
    }
    out.expiresAt = options.expiresAt.toISOString();
  }
  if (options.maxDownloads !== undefined) {
    const n = options.maxDownloads;
    if (!Number.isInteger(n) || n < 1 || n > MAX_DOWNLOADS) throw new ValidationFailed(`maxDownloads must be an integer from 1 to ${MAX_DOWNLOADS}.`);
    out.maxDownloads = n;
  }
  if (options.audience !== undefined) out.audience = audienceOf(options.audience);
  return out;
}

function audienceOf(audience: LinkAudience): LinkAudience {
  if (typeof audience !== 'object' || audience === null || !MODES.includes(audience.mode)) {
    throw new ValidationFailed(`The link audience mode must be one of ${MODES.join(', ')}.`);
  }
  if (audience.mode !== 'users') return { mode: audience.mode };
  if (!Array.isArray(audience.users) || audience.users.length === 0 || audience.users.some((u) => typeof u !== 'string')) {
    throw new ValidationFailed('A users audience needs a non-empty list of user ids.');
  }
  return { mode: 'users', users: [...audience.users] };
}

function costOf(kdf: KdfCost): KdfCost {
  return { algorithm: kdf.algorithm, memoryKiB: kdf.memoryKiB, iterations: kdf.iterations, parallelism: kdf.parallelism };
}

