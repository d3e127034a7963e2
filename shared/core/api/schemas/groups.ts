import { z } from 'zod';
import { base64url, cursor, fingerprint, keyGeneration, publicKeySpki, wrappedKey } from './common.js';

/** Request limits (docs/permissions.md, "Groups"): one DynamoDB transaction holds at most 100 items. */
export const GROUP_LIMITS = {
  /** Each new member is two transaction items (member + principal set or nested META), plus the ancestors' checks. */
  membersPerAdd: 25,
  /** Each removed member is two items (delete + principal set or nested META). */
  membersPerRemove: 25,
  /** Wraps of the new secret per request (about 140 KiB of JSON); larger groups stage wraps in several requests. */
  wrapsPerRequest: 250,
  /** A group receives members only while it is nested in at most this many groups (their `rev` guards the add). */
  maxAncestors: 40,
  grantsPerRewrap: 50,
} as const;

/** 16 random bytes, base64url: chosen by the client so key labels can bind it. */
export const groupId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'must be 22 base64url characters');

/** A member principal: `u:<userId>` or `g:<groupId>`. */
export const memberPrincipalId = z
  .string()
  .regex(/^(u:[a-z0-9][a-z0-9._-]{1,63}|g:[A-Za-z0-9_-]{22})$/, "must be 'u:<userId>' or 'g:<groupId>'");

export const groupName = z.string().trim().min(1).max(100);
export const memberRole = z.enum(['admin', 'member']);

/** sealGroupPrivateKey output for an RSA-3072 or RSA-4096 key (about 2.4 or 3.3 K characters). */
export const sealedGroupPrivateKey = base64url(64, 4096);
/** wrapKeyUnderKey output: exactly 61 bytes. */
export const chainWrap = base64url(82, 82);

export const groupIdParams = z.strictObject({ id: groupId });
/** `u:alice` may arrive as `u%3Aalice` when a gateway passes the path segment undecoded. */
export const memberParams = z.strictObject({
  id: groupId,
  principalId: z.preprocess((v) => (typeof v === 'string' ? v.replace(/^([ug])%3[Aa]/, '$1:') : v), memberPrincipalId),
});

const uniqueBy =
  <T>(key: (t: T) => string) =>
  (list: T[]): boolean =>
    new Set(list.map(key)).size === list.length;

export const createGroupBody = z.strictObject({
  groupId,
  /** Plaintext: the server sees group names (README, "Security model"). */
  name: groupName,
  publicKey: publicKeySpki,
  fingerprint,
  sealedPrivateKey: sealedGroupPrivateKey,
  keyGeneration: z.literal(1),
  /** The group secret wrapped for the creator's own public key (label recipient `u:<creator>`). */
  creatorWrappedSecret: wrappedKey,
});
export type CreateGroupBody = z.infer<typeof createGroupBody>;

export const renameGroupBody = z.strictObject({ name: groupName });

export const newMember = z.strictObject({
  principalId: memberPrincipalId,
  role: memberRole.default('member'),
  /** The group secret of `keyGeneration` wrapped for the member's public key (a nested group's current one). */
  wrappedSecret: wrappedKey,
  keyGeneration,
  /** Fingerprint of the public key wrapped for: must be the member's current key. */
  fingerprint,
});
export type NewMember = z.infer<typeof newMember>;

export const addMembersBody = z.strictObject({
  members: z
    .array(newMember)
    .min(1)
    .max(GROUP_LIMITS.membersPerAdd)
    .refine(uniqueBy((m: { principalId: string }) => m.principalId), 'each principal may appear once'),
});

export const memberWrap = z.strictObject({ principalId: memberPrincipalId, wrappedSecret: wrappedKey });

export const rotation = z.strictObject({
  /** The current generation + 1. */
  keyGeneration,
  publicKey: publicKeySpki,
  fingerprint,
  sealedPrivateKey: sealedGroupPrivateKey,
  /** The old secret wrapped under the new one (`group-chain`). */
  chainWrap,
  /** The new secret for remaining members: every one of them, here or staged by earlier `commit: false` requests. */
  wraps: z
    .array(memberWrap)
    .max(GROUP_LIMITS.wrapsPerRequest)
    .refine(uniqueBy((w: { principalId: string }) => w.principalId), 'each principal may appear once'),
  /** false: only stage these wraps (large groups); true (default): remove and switch to the new key. */
  commit: z.boolean().default(true),
});

export const removeMembersBody = z.strictObject({
  principalIds: z
    .array(memberPrincipalId)
    .min(1)
    .max(GROUP_LIMITS.membersPerRemove)
    .refine(uniqueBy((p: string) => p), 'each principal may appear once'),
  rotation,
});
export type RemoveMembersBody = z.infer<typeof removeMembersBody>;

export const changeMemberRoleBody = z.strictObject({ role: memberRole });

export const listGroupGrantsQuery = z.strictObject({
  stale: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: cursor.optional(),
});

export const rewrapGrantsBody = z.strictObject({
  /** The group key generation the new wraps are for: must be the current one. */
  principalKeyGeneration: keyGeneration,
  grants: z
    .array(z.strictObject({ nodeId: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'must be 22 base64url characters'), keyGeneration, wrappedKey }))
    .min(1)
    .max(GROUP_LIMITS.grantsPerRewrap)
    .refine(uniqueBy((g: { nodeId: string }) => g.nodeId), 'each node may appear once'),
});
export type RewrapGrantsBody = z.infer<typeof rewrapGrantsBody>;

// --- responses ---------------------------------------------------------------------

export type GroupRole = 'admin' | 'member';

export interface GroupMemberView {
  principalId: string;
  role: GroupRole;
  /** `member` or `guest` for users, `group` for a nested group. */
  kind: 'member' | 'guest' | 'group';
}

/** GET /groups/{id}; POST /groups. */
export interface GroupView {
  groupId: string;
  name: string;
  keyGeneration: number;
  publicKey: string;
  fingerprint: string;
  memberCount: number;
  createdAt: string;
  /** Present when the caller is a member (transitively). */
  membership?: { via: string; role?: GroupRole; admin: boolean };
  /** Present when the caller is a member (transitively). */
  members?: GroupMemberView[];
}

/** One group of the caller's keyring (GET /groups). */
export interface KeyringGroup {
  groupId: string;
  name: string;
  keyGeneration: number;
  publicKey: string;
  fingerprint: string;
  memberCount: number;
  /** The private key of `keyGeneration`, sealed under that generation's secret. */
  sealedPrivateKey: string;
  /** Older generations' private keys, each sealed under its own secret. */
  sealedPrivateKeys: Record<string, string>;
  /** `keyChain[gen]`: the secret of `gen` wrapped under the secret of `gen + 1`. */
  keyChain: Record<string, string>;
  /** The member principal through which the caller is in the group: itself (`u:`) or a group it is in (`g:`). */
  via: string;
  /** The caller's own role, when `via` is the caller. */
  role?: GroupRole;
  /** The group secret wrapped for `via` (absent while a membership change is propagating). */
  wrappedSecret?: string;
  secretKeyGeneration?: number;
  /** For `via` a group: which of its key generations `wrappedSecret` is wrapped for. */
  viaKeyGeneration?: number;
}

export interface ListMyGroupsResponse {
  groups: KeyringGroup[];
}

export interface AddMembersResponse {
  groupId: string;
  added: string[];
  memberCount: number;
}

export interface RemoveMembersResponse {
  groupId: string;
  /** Empty for a staging request (`commit: false`). */
  removed: string[];
  keyGeneration: number;
  /** Staging requests: how many wraps were stored. */
  staged?: number;
}

export interface GroupGrantView {
  nodeId: string;
  role: string;
  keyGeneration: number;
  wrappedKey: string;
  principalKeyGeneration: number;
  /** Folders' keys are wrapped with kind `folder`, documents' with `dek`. */
  nodeKind: 'document' | 'folder';
  /** The node's name, encrypted under its current key, when `keyGeneration` is that key's. */
  encryptedName?: string;
  /** The node is pending or being deleted: the grant goes with it. */
  inactive?: true;
}

export interface ListGroupGrantsResponse {
  groupId: string;
  /** The group's current key generation. */
  keyGeneration: number;
  grants: GroupGrantView[];
  cursor?: string;
}

export interface RewrapGrantsResponse {
  groupId: string;
  rewrapped: string[];
  /** Already re-wrapped by someone else, changed, or gone: nothing written. */
  skipped: string[];
}
