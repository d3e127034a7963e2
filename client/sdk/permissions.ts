import { ValidationFailed } from '../../shared/core/errors/index.js';
import {
  type CheckAccessResponse,
  type ListPermissionsResponse,
  MAX_CHECK_IDS,
  type PermissionEntry,
} from '../../shared/core/api/schemas/sharing.js';
import type { ClientContext } from './ClientContext.js';
import { nodePath } from './paths.js';
import { retryConcurrentUpdates } from './retry.js';

/** Levels that can be granted; `owner` moves only by a transfer. */
export type GrantableRole = 'viewer' | 'commenter' | 'editor' | 'manager';
export const GRANTABLE_ROLES: readonly GrantableRole[] = ['viewer', 'commenter', 'editor', 'manager'];

export type { CheckAccessResponse, ListPermissionsResponse, PermissionEntry };

/** One node the caller can see, with its level and capabilities (POST /access/check). */
export type AccessResult = CheckAccessResponse['results'][number];

export interface SetRoleOptions {
  /** A Date sets the expiry, null removes it, undefined keeps the direct grant's current one. */
  expiresAt?: Date | null;
}

export interface SetRoleResult {
  nodeId: string;
  principalId: string;
  role: GrantableRole;
  expiresAt?: string;
}

export interface TransferResult {
  nodeId: string;
  ownerId: string;
  previousOwner: { userId: string; role: 'manager' };
}

export interface SettingsResult {
  nodeId: string;
  /** `keepVersions`: a document keeps its newest N versions (absent: all). */
  settings: { editorsCanShare: boolean; keepVersions?: number };
}

/** `alice` and `u:alice` are the user alice; `g:<groupId>` a group. */
export function toPrincipalId(id: string): string {
  return id.startsWith('u:') || id.startsWith('g:') ? id : `u:${id}`;
}

/** Users and groups from a mixed list (`alice`, `u:alice`, `g:<groupId>`), each once, in order. */
export function splitPrincipals(ids: readonly string[]): { userIds: string[]; groupIds: string[] } {
  const principals = [...new Set(ids.map(toPrincipalId))];
  return {
    userIds: principals.flatMap((p) => (p.startsWith('u:') ? [p.slice(2)] : [])),
    groupIds: principals.flatMap((p) => (p.startsWith('g:') ? [p.slice(2)] : [])),
  };
}

/** An ISO instant from a Date, refusing an invalid one before anything is sent. */
export function isoInstant(date: Date, what = 'expiresAt'): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new ValidationFailed(`${what} must be a valid date.`);
  return date.toISOString();
}

/** Who has access and why: direct grants, and levels inherited from which folder (GET /nodes/{id}/permissions). */
export function permissions(ctx: ClientContext, nodeId: string): Promise<ListPermissionsResponse> {
  return ctx.api.get<ListPermissionsResponse>(`${nodePath(nodeId)}/permissions`);
}

/**
 * Changes a principal's level (and expiry) on a node: a registry update, nothing is
 * re-encrypted. Managers up to manager; the owner's level changes only by a transfer.
 */
export async function setRole(
  ctx: ClientContext,
  nodeId: string,
  principal: string,
  role: GrantableRole,
  options: SetRoleOptions = {},
): Promise<SetRoleResult> {
  const principalId = toPrincipalId(principal);
  let expiresAt: string | null;
  if (options.expiresAt === undefined) {
    // The server's PUT replaces the expiry: keep the one the direct grant has now.
    const current = (await permissions(ctx, nodeId)).entries.find((e) => e.principalId === principalId && e.source === 'direct');
    expiresAt = current?.expiresAt ?? null;
  } else {
    expiresAt = options.expiresAt === null ? null : isoInstant(options.expiresAt);
  }
  const path = `${nodePath(nodeId)}/grants/${encodeURIComponent(principalId)}`;
  return retryConcurrentUpdates(() => ctx.api.request<SetRoleResult>('PUT', path, { body: { role, expiresAt } }));
}

/**
 * Makes `userId` the owner; the caller becomes manager. The new owner must already hold
 * the key through a direct grant (share with them first) and be a member, not a guest.
 */
export function transferOwnership(ctx: ClientContext, nodeId: string, userId: string): Promise<TransferResult> {
  const newOwnerId = userId.startsWith('u:') ? userId.slice(2) : userId;
  return retryConcurrentUpdates(() => ctx.api.post<TransferResult>(`${nodePath(nodeId)}/transfer`, { newOwnerId }));
}

/** The owner's "editors may share" setting of one node (on by default). */
export function setEditorsCanShare(ctx: ClientContext, nodeId: string, editorsCanShare: boolean): Promise<SettingsResult> {
  return changeSettings(ctx, nodeId, { editorsCanShare });
}

/** A document's retention: keep the newest `keep` versions (older ones are pruned at the next upload), or all (null). */
export function setKeepVersions(ctx: ClientContext, documentId: string, keep: number | null): Promise<SettingsResult> {
  return changeSettings(ctx, documentId, { keepVersions: keep });
}

function changeSettings(ctx: ClientContext, nodeId: string, body: { editorsCanShare?: boolean; keepVersions?: number | null }): Promise<SettingsResult> {
  return retryConcurrentUpdates(() => ctx.api.request<SettingsResult>('PUT', `${nodePath(nodeId)}/settings`, { body }));
}

/**
 * The caller's level and capabilities on each node it can see, in the order asked
 * (batches of 100); nodes it cannot see are simply absent.
 */
export async function checkAccess(ctx: ClientContext, nodeIds: readonly string[]): Promise<AccessResult[]> {
  const ids = [...new Set(nodeIds)];
  const results: AccessResult[] = [];
  for (let i = 0; i < ids.length; i += MAX_CHECK_IDS) {
    const page = await ctx.api.post<CheckAccessResponse>('/access/check', { nodeIds: ids.slice(i, i + MAX_CHECK_IDS) });
    results.push(...page.results);
  }
  return results;
}
