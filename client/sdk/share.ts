import type { z } from 'zod';
import { CofferError } from '../../shared/core/errors/index.js';
import type { GrantInput } from '../../shared/core/api/schemas/documents.js';
import {
  type GetNodeResponse,
  MAX_PRINCIPALS_PER_REQUEST,
  type RevokeNodeResponse,
  type shareNodeBody,
  type ShareNodeResponse,
} from '../../shared/core/api/schemas/sharing.js';
import type { ClientContext } from './ClientContext.js';
import { wrapNodeKey } from './dataKeys.js';
import { openKeyPath } from './nodeKeys.js';
import { nodePath } from './paths.js';
import { type GrantableRole, isoInstant, permissions, toPrincipalId } from './permissions.js';
import { isApiError, retryConcurrentUpdates } from './retry.js';

type ShareNodeBody = z.input<typeof shareNodeBody>;
type ShareGrantBody = ShareNodeBody['grants'][number];

/** Whom to share with: user ids (`alice` or `u:alice`) and group ids (`<groupId>` or `g:<groupId>`). */
export interface ShareRecipients {
  userIds?: readonly string[];
  groupIds?: readonly string[];
}

export interface ShareOptions {
  /** The level granted to every recipient (default viewer): up to manager, and up to your own. */
  role?: GrantableRole;
  /** The grants are void from this instant (in the future, at most a year ahead). */
  expiresAt?: Date;
  /** Users, and groups as `g:<groupId>`, whose changed public key the caller has verified (see KeyChangedError). */
  acceptNewKeyFor?: readonly string[];
}

export interface ShareResult {
  nodeId: string;
  /** Principal ids (`u:<userId>`, `g:<groupId>`) that received a key now. */
  sharedWith: string[];
  /** Asked for, but they already hold a direct grant: nothing was sent for them (change a level with setRole). */
  alreadyShared: string[];
}

export interface RevokeResult {
  nodeId: string;
  /** Principal ids whose direct grant was removed. */
  revoked: string[];
  /** Asked for, but they held no direct grant. */
  notShared: string[];
  /**
   * A document's new key generation, when the revoke rotated its key (docs/versions.md): versions
   * uploaded from now on are unreadable to whoever was revoked. Absent for folders and when you left.
   */
  keyGeneration?: number;
  /** Share links the new key generation made stale (0 when the key did not change): make new ones with `createLink`. */
  staleLinks: number;
}

/** Rounds of a share when the node's key changes under it (409 KEY_CHANGED: a folder got a new key). */
const KEY_CHANGE_ROUNDS = 3;

interface ShareState {
  sharedWith: string[];
  alreadyShared: string[];
}

/**
 * Gives users and groups a key to a node (document or folder): GET /nodes/{id} for the
 * caller's key path, open the node key, wrap it for each pin-checked recipient (label
 * recipient = the principal id), POST /nodes/{id}/share in batches of 50. Principals that
 * already hold a direct grant are skipped, so sharing is idempotent; a batch that meets a
 * concurrent write is resent. Each batch is all or none on the server; a failure after
 * some batches leaves those shared (sharing again finishes the job).
 */
export async function share(
  ctx: ClientContext,
  nodeId: string,
  recipients: ShareRecipients,
  options: ShareOptions = {},
): Promise<ShareResult> {
  const session = await ctx.keeper.current();
  const me = `u:${session.userId}`;
  const asked = [
    ...new Set([
      ...(recipients.userIds ?? []).map((u) => (u.startsWith('u:') ? u : `u:${u}`)),
      ...(recipients.groupIds ?? []).map((g) => (g.startsWith('g:') ? g : `g:${g}`)),
    ]),
  ].filter((p) => p !== me); // the server refuses sharing with yourself; you hold the key already
  const grant = {
    role: options.role ?? 'viewer',
    ...(options.expiresAt !== undefined && { expiresAt: isoInstant(options.expiresAt) }),
  };
  const state: ShareState = { sharedWith: [], alreadyShared: [] };
  for (let round = 1; ; round++) {
    const done = new Set([...state.sharedWith, ...state.alreadyShared]);
    try {
      await shareRound(ctx, nodeId, asked.filter((p) => !done.has(p)), grant, options.acceptNewKeyFor ?? [], state);
      return { nodeId, ...state };
    } catch (error) {
      if (!isApiError(error, 409, 'KEY_CHANGED') || round >= KEY_CHANGE_ROUNDS) throw error;
    }
  }
}

async function shareRound(
  ctx: ClientContext,
  nodeId: string,
  pending: readonly string[],
  grant: Pick<ShareGrantBody, 'role' | 'expiresAt'>,
  acceptNewKeyFor: readonly string[],
  state: ShareState,
): Promise<void> {
  const [node, listed] = await Promise.all([ctx.api.get<GetNodeResponse>(nodePath(nodeId)), permissions(ctx, nodeId)]);
  const direct = new Set(listed.entries.filter((e) => e.source === 'direct').map((e) => e.principalId));
  state.alreadyShared.push(...pending.filter((p) => direct.has(p)));
  const todo = pending.filter((p) => !direct.has(p));
  if (todo.length === 0) return;

  // Pins first (one at a time: a pin file is read, changed and written): an unknown user or a changed key fails before any write.
  const accept = { acceptNewKeyFor };
  const users = await ctx.recipients.resolve(todo.flatMap((p) => (p.startsWith('u:') ? [p.slice(2)] : [])), accept);
  const groups = await ctx.recipients.resolveGroups(todo.flatMap((p) => (p.startsWith('g:') ? [p.slice(2)] : [])), accept);
  const keyOf = new Map<string, { publicKey: CryptoKey; fingerprint: string }>([
    ...users.map((u) => [`u:${u.userId}`, u] as const),
    ...groups.map((g) => [`g:${g.groupId}`, g] as const),
  ]);

  const target = { kind: node.kind, nodeId, keyGeneration: node.keyGeneration };
  checkKeyPathGeneration(node);
  const nodeKey = await openKeyPath(ctx, { nodeId, kind: node.kind }, node.keyPath);
  let grants: ShareGrantBody[];
  try {
    grants = await Promise.all(
      todo.map(async (principalId) => {
        const key = keyOf.get(principalId)!;
        return { principalId, wrappedKey: await wrapNodeKey(key.publicKey, nodeKey, target, principalId), fingerprint: key.fingerprint, ...grant };
      }),
    );
  } finally {
    nodeKey.fill(0);
  }
  await postShares(ctx, nodeId, node.keyGeneration, grants, state);
}

/**
 * The key path must end at the node's current key generation: wrapping an older key under a
 * label that names the current one would store a grant that opens nothing.
 */
function checkKeyPathGeneration(node: GetNodeResponse): void {
  const { entry, steps } = node.keyPath;
  const generation = steps.length > 0 ? steps[steps.length - 1]!.keyGeneration : entry.keyGeneration;
  if (generation !== node.keyGeneration) {
    throw new CofferError('KEY_PATH_MISMATCH', "The server's key path does not lead to the node's current key: nothing was shared. Retry.");
  }
}

/**
 * POST /nodes/{id}/share in batches the server accepts. A batch refused with ALREADY_SHARED
 * (a principal whose direct grant the permission list did not show, or one added meanwhile)
 * is resent without them; CONCURRENT_UPDATE is retried with backoff.
 */
async function postShares(ctx: ClientContext, nodeId: string, keyGeneration: number, grants: readonly ShareGrantBody[], state: ShareState): Promise<void> {
  for (let i = 0; i < grants.length; i += MAX_PRINCIPALS_PER_REQUEST) {
    let batch = grants.slice(i, i + MAX_PRINCIPALS_PER_REQUEST);
    while (batch.length > 0) {
      try {
        const body: ShareNodeBody = { keyGeneration, grants: batch };
        const res = await retryConcurrentUpdates(() => ctx.api.post<ShareNodeResponse>(`${nodePath(nodeId)}/share`, body));
        state.sharedWith.push(...res.sharedWith);
        break;
      } catch (error) {
        const listed = isApiError(error, 409, 'ALREADY_SHARED') ? principalIdsIn(error.details) : [];
        const already = batch.filter((g) => listed.includes(g.principalId)).map((g) => g.principalId);
        if (already.length === 0) throw error;
        state.alreadyShared.push(...already);
        batch = batch.filter((g) => !already.includes(g.principalId));
      }
    }
  }
}

/**
 * The grants of a brand-new document beyond the first request's 50 (upload): user grants
 * at viewer, the key wrapped by the caller of POST /documents.
 */
export async function shareDocumentKey(
  ctx: ClientContext,
  documentId: string,
  keyGeneration: number,
  grants: readonly GrantInput[],
): Promise<{ documentId: string; sharedWith: string[] }> {
  const state: ShareState = { sharedWith: [], alreadyShared: [] };
  const body = grants.map((g) => ({ principalId: `u:${g.userId}`, wrappedKey: g.wrappedKey, fingerprint: g.fingerprint, role: 'viewer' as const }));
  await postShares(ctx, documentId, keyGeneration, body, state);
  return { documentId, sharedWith: state.sharedWith.map((p) => p.slice(2)) };
}

/**
 * Removes direct grants: POST /nodes/{id}/revoke in batches, each all or none. Principals
 * that hold no direct grant are reported in `notShared` (the server names them, and the
 * rest is sent again). Revocation removes the wrapped key; it does not re-encrypt, so a
 * revoked user who kept the key or a copy still has them. Access inherited from a folder
 * is revoked on that folder.
 */
export async function revoke(ctx: ClientContext, nodeId: string, principals: readonly string[]): Promise<RevokeResult> {
  const asked = [...new Set(principals.map(toPrincipalId))];
  const result: RevokeResult = { nodeId, revoked: [], notShared: [], staleLinks: 0 };
  for (let i = 0; i < asked.length; i += MAX_PRINCIPALS_PER_REQUEST) {
    let batch = asked.slice(i, i + MAX_PRINCIPALS_PER_REQUEST);
    while (batch.length > 0) {
      try {
        const principalIds = batch;
        const res = await retryConcurrentUpdates(() => ctx.api.post<RevokeNodeResponse>(`${nodePath(nodeId)}/revoke`, { principalIds }));
        result.revoked.push(...res.revoked);
        break;
      } catch (error) {
        const listed = isApiError(error, 409, 'NOT_SHARED') ? principalIdsIn(error.details) : [];
        const missing = batch.filter((p) => listed.includes(p));
        if (missing.length === 0) throw error;
        result.notShared.push(...missing);
        batch = batch.filter((p) => !missing.includes(p));
      }
    }
  }
  return result;
}

function principalIdsIn(details: Record<string, unknown> | undefined): string[] {
  const ids = details?.principalIds;
  return Array.isArray(ids) ? ids.filter((p): p is string => typeof p === 'string') : [];
}
