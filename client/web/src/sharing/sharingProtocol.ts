import type { KeyStatus } from '../../../sdk/Recipients.js';

/**
 * The sharing operations the page asks of the account worker (docs/web.md, "Sharing"). Principals
 * are `u:<userId>` or `g:<groupId>`; a user id typed by the person may come without the `u:`.
 * Keys and pins stay in the worker: the page sees names, levels and fingerprints.
 */
export type SharingRequest =
  /** Who has access to a node, what the caller may do about it, and the caller's groups for the picker. */
  | { op: 'access'; nodeId: string }
  /** A recipient's name and current key fingerprint, against the pin; nothing is pinned. */
  | { op: 'recipient'; principal: string }
  /** `expiresAt`: an ISO instant in the future. A changed key answers `keyChanged` and shares nothing. */
  | { op: 'share'; nodeId: string; principals: string[]; level: Level; expiresAt?: string }
  | { op: 'changeLevel'; nodeId: string; principalId: string; level: Level }
  | { op: 'revoke'; nodeId: string; principalId: string }
  /** Re-pins a changed key, only if it is still the one with `fingerprint` (the one the person checked). */
  | { op: 'acceptNewKey'; principalId: string; fingerprint: string };

export const SHARING_OPS: ReadonlySet<SharingRequest['op']> = new Set(['access', 'recipient', 'share', 'changeLevel', 'revoke', 'acceptNewKey']);

export function isSharingRequest(request: { op: string }): request is SharingRequest {
  return SHARING_OPS.has(request.op as SharingRequest['op']);
}

/** Levels that can be granted (owner moves only by a transfer). */
export type Level = 'viewer' | 'commenter' | 'editor' | 'manager';
export const LEVELS: readonly Level[] = ['viewer', 'commenter', 'editor', 'manager'];

/** One line of "who has access", with names where the caller may read them. */
export interface AccessEntry {
  principalId: string;
  kind: 'user' | 'group';
  /** The user's or group's name; undefined when it could not be found. */
  name: string | undefined;
  role: string;
  source: 'direct' | 'inherited';
  /** The folder it comes from, for an inherited level; its name when the caller may read it. */
  inheritedFrom?: { folderId: string; name: string | undefined };
  expiresAt?: string;
}

export interface NodeAccess {
  nodeId: string;
  ownerId: string;
  /** The caller's own level on the node. */
  role: string;
  /** The highest level the caller may hand out or take away; absent when it may not share. */
  maxLevel?: Level;
  entries: AccessEntry[];
  /** The groups the caller is in (transitively), for the share picker. */
  groups: { groupId: string; name: string }[];
  /** False when this browser refused IndexedDB: pins last as long as the tab. */
  pinsPersist: boolean;
}

/** A share refused because a recipient's key is not the pinned one: both fingerprints, for an out-of-band check. */
export interface KeyChange {
  principalId: string;
  name: string | undefined;
  pinned: string;
  presented: string;
}

export type SharingResult =
  | { access: NodeAccess }
  | { recipient: KeyStatus }
  | { shared: { sharedWith: string[]; alreadyShared: string[] } }
  | { keyChanged: KeyChange }
  | { revoked: { revoked: string[]; notShared: string[]; keyGeneration?: number } }
  | { accepted: { principalId: string; fingerprint: string } }
  | { done: true };
