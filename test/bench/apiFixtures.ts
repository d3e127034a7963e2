/**
 * Client-side material for the API benchmark (test/bench/apiBench.ts): the request bodies a client
 * makes, with real crypto, built before the timed requests. Every benchmark user shares one RSA-3072
 * key pair and every benchmark group the same two group key pairs (generation 1 and 2): generating
 * RSA-3072 takes most of a second here, and the labels (node, generation, recipient principal id)
 * still make each wrap its own.
 */
import {
  type KdfParams,
  type UserKeyPair,
  TEST_KDF,
  deriveUserKeys,
  encryptBytes,
  encryptMetadata,
  fingerprint,
  generateDataKey,
  generateGroupKeyPair,
  generateGroupSecret,
  generateUserKeyPair,
  newKdfParams,
  sealGroupPrivateKey,
  sealPrivateKey,
  toBase64Url,
  wrapKey,
  wrapKeyUnderKey,
} from '../../shared/core/crypto/index.js';
import { commentField, newCommentId } from '../../shared/core/api/schemas/comments.js';
import { type Actor, newDocumentId } from '../helpers/actors.js';
import { chainLabel, childLabel, type FolderHandle, folderLabel } from '../helpers/folders.js';

/** The key pairs every benchmark user and group shares. */
export interface BenchKeys {
  user: UserKeyPair;
  userFingerprint: string;
  /** Group key pairs by generation: 1 at creation, 2 after the rotation of a member removal. */
  group: Map<number, { pair: UserKeyPair; fingerprint: string }>;
}

export async function benchKeys(): Promise<BenchKeys> {
  const user = await generateUserKeyPair();
  const group = new Map<number, { pair: UserKeyPair; fingerprint: string }>();
  for (const generation of [1, 2]) {
    const pair = await generateGroupKeyPair();
    group.set(generation, { pair, fingerprint: await fingerprint(pair.publicKeySpki) });
  }
  return { user, userFingerprint: await fingerprint(user.publicKeySpki), group };
}

// --- Users -----------------------------------------------------------------------------

export interface PreparedUser {
  userId: string;
  authKey: string;
  /** The body of POST /users: Argon2id (test cost) run, private key sealed. */
  body: Record<string, unknown>;
}

export async function prepareUsers(keys: BenchKeys, prefix: string, count: number): Promise<PreparedUser[]> {
  const publicKey = toBase64Url(keys.user.publicKeySpki);
  const users: PreparedUser[] = [];
  for (let i = 0; i < count; i++) {
    const userId = `${prefix}-${i}`;
    const kdf: KdfParams = newKdfParams(TEST_KDF);
    const derived = await deriveUserKeys(`bench passphrase ${userId} ${Math.random()}`, kdf);
    const sealed = await sealPrivateKey(keys.user.privateKeyPkcs8, derived.encryptionKey, userId);
    const authKey = toBase64Url(derived.authKey);
    users.push({ userId, authKey, body: { userId, name: `Bench ${userId}`, publicKey, encryptedPrivateKey: toBase64Url(sealed), kdf, authKey } });
  }
  return users;
}

/** A logged-in benchmark user as the test helpers (test/helpers/actors.ts) take it. */
export function benchActor(keys: BenchKeys, user: PreparedUser, session: { accessToken: string; refreshToken: string }): Actor {
  return {
    userId: user.userId,
    passphrase: '',
    authKey: user.authKey,
    publicKeySpki: keys.user.publicKeySpki,
    publicKey: keys.user.publicKey,
    privateKey: keys.user.privateKey,
    fingerprint: keys.userFingerprint,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
  };
}

const principalOf = (a: Actor) => `u:${a.userId}`;

// --- Documents and comments --------------------------------------------------------------

export interface DocumentDraft {
  documentId: string;
  dek: Uint8Array;
  ciphertext: Uint8Array;
  /** The body of POST /documents (at the root, the DEK wrapped for the owner). */
  createBody: Record<string, unknown>;
}

/** A 4 KiB document encrypted under a fresh DEK, ready to create at the root. */
export async function documentDraft(owner: Actor, name: string, recipients: Actor[] = []): Promise<DocumentDraft> {
  const documentId = newDocumentId();
  const dek = generateDataKey();
  const ciphertext = await encryptBytes(dek, { documentId, version: 1 }, crypto.getRandomValues(new Uint8Array(4096)));
  const grants = await Promise.all(
    [owner, ...recipients].map(async (a) => ({
      userId: a.userId,
      wrappedKey: toBase64Url(await wrapKey(a.publicKey, dek, { kind: 'dek', resourceId: documentId, generation: 1, recipientId: principalOf(a) })),
      fingerprint: a.fingerprint,
    })),
  );
  return {
    documentId,
    dek,
    ciphertext,
    createBody: { documentId, size: ciphertext.length, keyGeneration: 1, encryptedName: await encryptMetadata(dek, documentId, 'name', name), grants },
  };
}

/** Version 2 of a document, encrypted for that number (the client encrypts once the server reserved it). */
export async function versionDraft(doc: { documentId: string; dek: Uint8Array }, version = 2) {
  const ciphertext = await encryptBytes(doc.dek, { documentId: doc.documentId, version }, crypto.getRandomValues(new Uint8Array(4096)));
  return { version, ciphertext, createBody: { size: ciphertext.length, keyGeneration: 1 } };
}

/** POST /documents/{id}/rotate of a top-level document: a new DEK for exactly its direct grantees, the old one chained under it. */
export async function rotateBody(doc: { documentId: string; dek: Uint8Array }, directGrantees: Actor[], name: string) {
  const next = generateDataKey();
  return {
    keyGeneration: 2,
    chainWrap: await wrapKeyUnderKey(next, doc.dek, chainLabel(doc.documentId, 1)),
    encryptedName: await encryptMetadata(next, doc.documentId, 'name', name),
    grants: await Promise.all(
      directGrantees.map(async (a) => ({
        principalId: principalOf(a),
        wrappedKey: toBase64Url(await wrapKey(a.publicKey, next, { kind: 'dek', resourceId: doc.documentId, generation: 2, recipientId: principalOf(a) })),
        fingerprint: a.fingerprint,
      })),
    ),
  };
}

/**
 * POST /documents/{id}/comments: a fresh ULID and the text under the DEK. The server refuses an id whose
 * time is more than 5 minutes off, so make these just before they are sent.
 */
export async function commentBody(doc: { documentId: string; dek: Uint8Array }, text: string) {
  const commentId = newCommentId(Date.now());
  return { commentId, ciphertext: await encryptMetadata(doc.dek, doc.documentId, commentField(commentId), text), keyGeneration: 1 };
}

/** One grant of POST /nodes/{id}/share: the node key wrapped for a user (documents 'dek', folders 'folder'). */
export async function userShareGrant(to: Actor, nodeId: string, key: Uint8Array, role: string, kind: 'dek' | 'folder' = 'dek', generation = 1) {
  const wrapped = await wrapKey(to.publicKey, key, { kind, resourceId: nodeId, generation, recipientId: principalOf(to) });
  return { principalId: principalOf(to), wrappedKey: toBase64Url(wrapped), fingerprint: to.fingerprint, role };
}

// --- Folders ---------------------------------------------------------------------------

/** PUT /nodes/{id}/name: the new name under the node's current key. */
export async function renameBody(folder: FolderHandle, name: string) {
  return { encryptedName: await encryptMetadata(folder.key, folder.folderId, 'name', name), keyGeneration: folder.generation };
}

/** POST /nodes/{id}/move into `to`: the node's key wrapped under the destination's current key. */
export async function moveBody(node: FolderHandle, to: FolderHandle) {
  return {
    parentId: to.folderId,
    parentWrap: await wrapKeyUnderKey(to.key, node.key, childLabel(node.folderId, node.generation, to.folderId, to.generation)),
    parentKeyGeneration: to.generation,
  };
}

/**
 * POST /folders/{id}/limit {limited: true}: a new key, the old one chained under it, the name again
 * under the new key, and the new key wrapped for each direct grantee (all of them, and only them).
 */
export async function limitBody(folder: FolderHandle, directGrantees: Actor[], name: string) {
  const next = generateDataKey();
  const generation = folder.generation + 1;
  return {
    limited: true,
    keyGeneration: generation,
    chainWrap: await wrapKeyUnderKey(next, folder.key, chainLabel(folder.folderId, folder.generation)),
    encryptedName: await encryptMetadata(next, folder.folderId, 'name', name),
    grants: await Promise.all(
      directGrantees.map(async (a) => ({
        principalId: principalOf(a),
        wrappedKey: toBase64Url(await wrapKey(a.publicKey, next, folderLabel(folder.folderId, generation, principalOf(a)))),
        fingerprint: a.fingerprint,
      })),
    ),
  };
}

// --- Groups ----------------------------------------------------------------------------

/** A group as its admin's client holds it: every generation's secret. */
export interface GroupDraft {
  groupId: string;
  principalId: string;
  secrets: Map<number, Uint8Array>;
  /** The body of POST /groups (key generation 1, the creator its first admin). */
  createBody: Record<string, unknown>;
}

const groupLabel = (groupId: string, generation: number, recipientId: string) => ({ kind: 'group', resourceId: groupId, generation, recipientId }) as const;

export async function groupDraft(keys: BenchKeys, creator: Actor, name: string): Promise<GroupDraft> {
  const groupId = newDocumentId();
  const secret = generateGroupSecret();
  const { pair, fingerprint: groupFingerprint } = keys.group.get(1)!;
  return {
    groupId,
    principalId: `g:${groupId}`,
    secrets: new Map([[1, secret]]),
    createBody: {
      groupId,
      name,
      publicKey: toBase64Url(pair.publicKeySpki),
      fingerprint: groupFingerprint,
      sealedPrivateKey: await sealGroupPrivateKey(secret, pair.privateKeyPkcs8, { groupId, generation: 1 }),
      keyGeneration: 1,
      creatorWrappedSecret: toBase64Url(await wrapKey(creator.publicKey, secret, groupLabel(groupId, 1, principalOf(creator)))),
    },
  };
}

/** POST /groups/{id}/members: the generation-1 secret wrapped for each new member. */
export async function addMembersBody(group: GroupDraft, members: Actor[]) {
  return {
    members: await Promise.all(
      members.map(async (m) => ({
        principalId: principalOf(m),
        role: 'member',
        wrappedSecret: toBase64Url(await wrapKey(m.publicKey, group.secrets.get(1)!, groupLabel(group.groupId, 1, principalOf(m)))),
        keyGeneration: 1,
        fingerprint: m.fingerprint,
      })),
    ),
  };
}

/**
 * POST /groups/{id}/members/remove with the rotation to generation 2: the generation-2 key pair sealed
 * under a new secret, the new secret wrapped for every remaining member, the old secret chained under it.
 * The draft keeps the new secret (generation 2), as the admin's client does.
 */
export async function removeMembersBody(keys: BenchKeys, group: GroupDraft, removed: Actor[], remaining: Actor[]) {
  const secret = generateGroupSecret();
  const { pair, fingerprint: groupFingerprint } = keys.group.get(2)!;
  group.secrets.set(2, secret);
  return {
    principalIds: removed.map(principalOf),
    rotation: {
      keyGeneration: 2,
      publicKey: toBase64Url(pair.publicKeySpki),
      fingerprint: groupFingerprint,
      sealedPrivateKey: await sealGroupPrivateKey(secret, pair.privateKeyPkcs8, { groupId: group.groupId, generation: 2 }),
      chainWrap: await wrapKeyUnderKey(secret, group.secrets.get(1)!, {
        kind: 'group-chain',
        resourceId: group.groupId,
        generation: 1,
        parentId: group.groupId,
        parentGeneration: 2,
      }),
      wraps: await Promise.all(
        remaining.map(async (m) => ({
          principalId: principalOf(m),
          wrappedSecret: toBase64Url(await wrapKey(m.publicKey, secret, groupLabel(group.groupId, 2, principalOf(m)))),
        })),
      ),
      commit: true,
    },
  };
}

/** A principal a node key can be wrapped for: the group at one of its key generations. */
export function groupHolder(keys: BenchKeys, group: GroupDraft, generation: number) {
  const { pair, fingerprint: groupFingerprint } = keys.group.get(generation)!;
  return { principalId: group.principalId, publicKey: pair.publicKey, fingerprint: groupFingerprint };
}

/** POST /groups/{id}/rewrap: a folder's key, shared with the group at generation 1, wrapped again for generation 2. */
export async function rewrapBody(keys: BenchKeys, group: GroupDraft, folder: FolderHandle) {
  const wrapped = await wrapKey(keys.group.get(2)!.pair.publicKey, folder.key, folderLabel(folder.folderId, folder.generation, group.principalId));
  return { principalKeyGeneration: 2, grants: [{ nodeId: folder.folderId, keyGeneration: folder.generation, wrappedKey: toBase64Url(wrapped) }] };
}
