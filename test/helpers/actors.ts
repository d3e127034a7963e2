import {
  type KdfCost,
  TEST_KDF,
  decryptBytes,
  deriveUserKeys,
  encryptBytes,
  encryptMetadata,
  fingerprint,
  generateDataKey,
  generateUserKeyPair,
  newKdfParams,
  sealPrivateKey,
  toBase64Url,
  unwrapKey,
  wrapKey,
} from '../../shared/core/crypto/index.js';
import { api } from './http.js';

/** A user driven at the protocol level, holding what a real client would hold. */
export interface Actor {
  userId: string;
  passphrase: string;
  authKey: string;
  publicKeySpki: Uint8Array;
  publicKey: CryptoKey;
  privateKey: CryptoKey;
  fingerprint: string;
  accessToken: string;
  refreshToken: string;
}

/** POST /users as a client does (keys made here), a guest when an invitation code is given; then log in. */
export async function register(url: string, userId: string, kdf: KdfCost = TEST_KDF, options: { invitationCode?: string } = {}): Promise<Actor> {
  const passphrase = `correct-horse-battery-${userId}-staple-${Math.random().toString(36).slice(2)}`;
  const params = newKdfParams(kdf);
  const keys = await deriveUserKeys(passphrase, params);
  const pair = await generateUserKeyPair();
  const sealed = await sealPrivateKey(pair.privateKeyPkcs8, keys.encryptionKey, userId);
  const res = await api(url, 'POST', '/users', {
    body: {
      userId,
      name: `User ${userId}`,
      publicKey: toBase64Url(pair.publicKeySpki),
      encryptedPrivateKey: toBase64Url(sealed),
      kdf: params,
      authKey: toBase64Url(keys.authKey),
      ...(options.invitationCode ? { invitationCode: options.invitationCode } : {}),
    },
  });
  if (res.status !== 201) throw new Error(`register ${userId}: ${res.status} ${JSON.stringify(res.body)}`);
  const login = await api(url, 'POST', '/auth/token', { body: { userId, authKey: toBase64Url(keys.authKey) } });
  if (login.status !== 200) throw new Error(`login ${userId}: ${login.status}`);
  return {
    userId,
    passphrase,
    authKey: toBase64Url(keys.authKey),
    publicKeySpki: pair.publicKeySpki,
    publicKey: pair.publicKey,
    privateKey: pair.privateKey,
    fingerprint: await fingerprint(pair.publicKeySpki),
    accessToken: login.body.accessToken,
    refreshToken: login.body.refreshToken,
  };
}

export function newDocumentId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

export async function grantFor(actor: Actor, documentId: string, dek: Uint8Array, generation = 1) {
  const wrapped = await wrapKey(actor.publicKey, dek, { kind: 'dek', resourceId: documentId, generation, recipientId: `u:${actor.userId}` });
  return { userId: actor.userId, wrappedKey: toBase64Url(wrapped), fingerprint: actor.fingerprint };
}

/** A share grant for POST /nodes/{id}/share: the key wrapped for the actor, at a level. */
export async function shareGrant(actor: Actor, nodeId: string, key: Uint8Array, role = 'viewer', options: { kind?: 'dek' | 'folder'; generation?: number } = {}) {
  const generation = options.generation ?? 1;
  const wrapped = await wrapKey(actor.publicKey, key, { kind: options.kind ?? 'dek', resourceId: nodeId, generation, recipientId: `u:${actor.userId}` });
  return { principalId: `u:${actor.userId}`, wrappedKey: toBase64Url(wrapped), fingerprint: actor.fingerprint, role };
}

export interface UploadedDocument {
  documentId: string;
  dek: Uint8Array;
  ciphertext: Uint8Array;
}

/** The whole client upload: encrypt, create, PUT to the presigned URL, complete. */
export async function upload(url: string, owner: Actor, plaintext: Uint8Array, name: string, recipients: Actor[] = []): Promise<UploadedDocument> {
  const documentId = newDocumentId();
  const dek = generateDataKey();
  const ciphertext = await encryptBytes(dek, { documentId, version: 1 }, plaintext);
  const created = await api(url, 'POST', '/documents', {
    token: owner.accessToken,
    body: {
      documentId,
      size: ciphertext.length,
      keyGeneration: 1,
      encryptedName: await encryptMetadata(dek, documentId, 'name', name),
      grants: await Promise.all([owner, ...recipients].map((a) => grantFor(a, documentId, dek))),
    },
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const put = await fetch(created.body.upload.url, { method: "PUT", body: Buffer.from(ciphertext) });
  if (!put.ok) throw new Error(`PUT: ${put.status}`);
  const done = await api(url, 'POST', `/documents/${documentId}/complete`, { token: owner.accessToken, body: {} });
  if (done.status !== 200) throw new Error(`complete: ${done.status} ${JSON.stringify(done.body)}`);
  return { documentId, dek, ciphertext };
}

/** The whole client download: get, unwrap the caller's DEK, GET the ciphertext, decrypt. */
export async function download(url: string, actor: Actor, documentId: string): Promise<Uint8Array> {
  const got = await api(url, 'GET', `/documents/${documentId}`, { token: actor.accessToken });
  if (got.status !== 200) throw Object.assign(new Error(`get: ${got.status}`), { status: got.status, body: got.body });
  const dek = await unwrapKey(actor.privateKey, Buffer.from(got.body.wrappedKey, 'base64url'), {
    kind: 'dek',
    resourceId: documentId,
    generation: got.body.keyGeneration,
    recipientId: `u:${actor.userId}`,
  });
  const res = await fetch(got.body.download.url);
  return decryptBytes(dek, { documentId, version: got.body.version }, new Uint8Array(await res.arrayBuffer()));
}
