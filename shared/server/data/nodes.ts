import type { Role } from '../../core/permissions/levels.js';
import type { Condition } from './itemBuilders.js';

export type NodeKind = 'document' | 'folder';
export type NodeState = 'pending' | 'active' | 'deleting';

/** One entry of a node's materialised access list: mirrors the GRANT# item of the same principal. */
export interface AclEntry {
  role: Role;
  /** ISO instant; the resolver ignores the entry from then on. */
  expiresAt?: string;
}

export interface NodeSettings {
  /** Editors may share (up to editor). On by default; guests never share. */
  editorsCanShare: boolean;
  /** Documents: how many active versions retention keeps (docs/versions.md); absent keeps all. */
  keepVersions?: number;
}

export const DEFAULT_SETTINGS: NodeSettings = { editorsCanShare: true };

/** Depth cap: a node has at most this many ancestors. */
export const MAX_DEPTH = 50;

/** What every node (document or folder) carries on its META item (docs/permissions.md). */
export interface NodeMeta {
  nodeId: string;
  kind: NodeKind;
  ownerId: string;
  state: NodeState;
  /** The containing folder; absent at the root. */
  parentId?: string;
  /** Ancestor folder ids, parent first, up to the root. */
  path: string[];
  /** Limited access: inherits nothing from its ancestors. */
  limited?: boolean;
  /** Direct grants, materialised: principal id -> level (and expiry). */
  acl: Record<string, AclEntry>;
  settings: NodeSettings;
  keyGeneration: number;
  /** This node's key wrapped under its parent folder's key (wrapKeyUnderKey). */
  parentWrap?: string;
  parentKeyGeneration?: number;
  /** Folders: older key generations, each wrapped under the next one. */
  keyChain?: Record<string, string>;
  encryptedName: string;
  /** Optimistic-concurrency counter, bumped by every change of parent, path, acl or key. */
  rev: number;
  createdAt: string;
  updatedAt: string;
}

export interface GrantItem {
  nodeId: string;
  principalId: string;
  /** Set for user principals (the foundation's field). */
  userId?: string;
  role: Role;
  wrappedKey: string;
  keyGeneration: number;
  /** Group grants: the group key generation the key was wrapped for. */
  principalKeyGeneration?: number;
  grantedBy: string;
  sharedAt: string;
  /** ISO instant after which the grant is void (the cleanup job removes it). */
  grantExpiresAt?: string;
}

/** True when an ACL entry is in force at `nowIso`. */
export function isLive(entry: AclEntry, nowMs: number): boolean {
  return entry.expiresAt === undefined || Date.parse(entry.expiresAt) > nowMs;
}

/** Guard: the node is active and at the `rev` read. */
export const activeAtRev = (rev: number): Condition => ({
  expression: '#state = :active AND rev = :rev',
  names: { '#state': 'state' },
  values: { ':active': 'active', ':rev': rev },
});
