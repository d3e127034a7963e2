/** `GROUP#<id>` / `META` (docs/permissions.md, "DynamoDB items"). */
export interface GroupMeta {
  groupId: string;
  /** Plaintext, visible to the server (documented in the README). */
  name: string;
  keyGeneration: number;
  /** SPKI, base64url. */
  publicKey: string;
  /** sha256 hex of the SPKI. */
  fingerprint: string;
  /** The PKCS#8 private key sealed under the group secret of `keyGeneration`. */
  sealedPrivateKey: string;
  /** `keyChain[gen]` = S(gen) wrapped under S(gen+1), for every rotated generation. */
  keyChain?: Record<string, string>;
  /** Every group this group is in, transitively: `{ [groupId]: via }`. */
  supergroups: Record<string, string>;
  memberCount: number;
  createdBy: string;
  createdAt: string;
  rev: number;
  /** The private keys of older generations, each sealed under its own secret (grants not yet re-wrapped need them). */
  sealedPrivateKeys?: Record<string, string>;
  /** Direct members whose role is admin (guards "the last admin"). */
  adminCount?: number;
  /** The fingerprint of the next key pair while a large rotation stages its wraps (docs/permissions.md, "Groups"). */
  stagedRotation?: string;
  /** Set when this group's supergroups changed and the groups and users below it may not have been updated yet. */
  propagationPending?: boolean;
}

export type MemberRole = 'admin' | 'member';
/** A user member's account kind, or `group` for a nested group. */
export type MemberKind = 'member' | 'guest' | 'group';

/** A wrap of the group secret for one member; nested groups record which of their key generations it is for. */
export interface SecretWrap {
  wrappedSecret: string;
  keyGeneration: number;
  principalKeyGeneration?: number;
}

/** `GROUP#<id>` / `MEMBER#<principalId>`; gsi1 `PRINCIPAL#<principalId>` / `MEMBER#<groupId>`. */
export interface GroupMemberItem extends SecretWrap {
  groupId: string;
  principalId: string;
  kind: MemberKind;
  role: MemberRole;
  addedBy: string;
  addedAt: string;
  /** A wrap for the next generation, written before a large rotation switches the META (see docs/permissions.md). */
  staged?: SecretWrap & { fingerprint: string };
}

/** A grant item made to a group (`NODE#<id>` / `GRANT#g:<groupId>`), as the rewrap needs it. */
export interface GroupGrant {
  nodeId: string;
  role: string;
  keyGeneration: number;
  wrappedKey: string;
  principalKeyGeneration: number;
  /** From the node's META: which wrap label the key uses (`folder` or `dek`). */
  nodeKind: 'document' | 'folder';
}
