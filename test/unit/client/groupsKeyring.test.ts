import { beforeAll, describe, expect, it } from 'vitest';
import { GroupKeyring } from '../../../client/sdk/GroupKeyring.js';
import {
  fingerprint,
  generateDataKey,
  generateGroupKeyPair,
  generateGroupSecret,
  generateUserKeyPair,
  sealGroupPrivateKey,
  toBase64Url,
  unwrapKey,
  wrapKey,
  wrapKeyUnderKey,
  type GroupKeyPair,
  type UserKeyPair,
} from '../../../shared/core/crypto/index.js';
import type { KeyringGroup } from '../../../shared/core/api/schemas/groups.js';

/**
 * The SDK's group keyring against answers built here with real keys, as the server would send
 * them (GET /groups) — and as a hostile server might alter them.
 */

const ME = 'alice';
const A = 'QUFBQUFBQUFBQUFBQUFBQUFBQQ'; // alice is a direct member; two generations
const C = 'Q0NDQ0NDQ0NDQ0NDQ0NDQ0NDQw'; // alice is a direct member
const B = 'QkJCQkJCQkJCQkJCQkJCQkJCQg'; // C is a member of B: alice is in B through C

interface Generation {
  pair: GroupKeyPair;
  secret: Uint8Array;
}

let user: UserKeyPair;
let gens: Map<string, Generation[]>;
let entries: KeyringGroup[];

const label = (groupId: string, generation: number, recipientId: string) => ({ kind: 'group', resourceId: groupId, generation, recipientId }) as const;

async function makeGroup(groupId: string, count: number): Promise<Generation[]> {
  const out: Generation[] = [];
  for (let i = 0; i < count; i++) out.push({ pair: await generateGroupKeyPair(), secret: generateGroupSecret() });
  return out;
}

/** The entry the server would list for `groupId`, with the secret of its current generation wrapped for `via`. */
async function entryFor(groupId: string, via: string, viaKey: CryptoKey, viaKeyGeneration?: number): Promise<KeyringGroup> {
  const list = gens.get(groupId)!;
  const current = list.length;
  const sealedPrivateKeys: Record<string, string> = {};
  const keyChain: Record<string, string> = {};
  for (let g = 1; g < current; g++) {
    sealedPrivateKeys[String(g)] = await sealGroupPrivateKey(list[g - 1]!.secret, list[g - 1]!.pair.privateKeyPkcs8, { groupId, generation: g });
    keyChain[String(g)] = await wrapKeyUnderKey(list[g]!.secret, list[g - 1]!.secret, {
      kind: 'group-chain',
      resourceId: groupId,
      generation: g,
      parentId: groupId,
      parentGeneration: g + 1,
    });
  }
  const top = list[current - 1]!;
  return {
    groupId,
    name: groupId.slice(0, 4),
    keyGeneration: current,
    publicKey: toBase64Url(top.pair.publicKeySpki),
    fingerprint: await fingerprint(top.pair.publicKeySpki),
    memberCount: 2,
    sealedPrivateKey: await sealGroupPrivateKey(top.secret, top.pair.privateKeyPkcs8, { groupId, generation: current }),
    sealedPrivateKeys,
    keyChain,
    via,
    wrappedSecret: toBase64Url(await wrapKey(viaKey, top.secret, label(groupId, current, via))),
    secretKeyGeneration: current,
    ...(viaKeyGeneration !== undefined ? { viaKeyGeneration } : {}),
  };
}

async function canOpen(keyring: GroupKeyring, groupId: string, generation: number): Promise<boolean> {
  const key = generateDataKey();
  const l = { kind: 'dek', resourceId: 'AAAAAAAAAAAAAAAAAAAAAA', generation: 1, recipientId: `g:${groupId}` } as const;
  const wrapped = await wrapKey(gens.get(groupId)![generation - 1]!.pair.publicKey, key, l);
  const back = await unwrapKey(await keyring.privateKeyFor(groupId, generation), wrapped, l);
  return toBase64Url(back) === toBase64Url(key);
}

beforeAll(async () => {
  user = await generateUserKeyPair();
  gens = new Map([
    [A, await makeGroup(A, 2)],
    [C, await makeGroup(C, 2)],
    [B, await makeGroup(B, 1)],
  ]);
  // B's secret is wrapped for C's first-generation key (C rotated since): the keyring follows C's chain.
  entries = [
    await entryFor(A, `u:${ME}`, user.publicKey),
    await entryFor(C, `u:${ME}`, user.publicKey),
    await entryFor(B, `g:${C}`, gens.get(C)![0]!.pair.publicKey, 1),
  ];
});

describe('GroupKeyring', () => {
  it('opens a direct group at its current generation and an older one down the key chain', async () => {
    const keyring = new GroupKeyring(ME, user.privateKey, entries);
    expect(await canOpen(keyring, A, 2)).toBe(true);
    expect(await canOpen(keyring, A, 1)).toBe(true);
    expect(await keyring.secretFor(A, 1)).toEqual(gens.get(A)![0]!.secret);
  });

  it('opens a nested group through the group the user is in, at the generation its wrap was made for', async () => {
    const keyring = new GroupKeyring(ME, user.privateKey, [...entries].reverse());
    expect(await canOpen(keyring, B, 1)).toBe(true);
  });

  it('refuses a wrap moved from another group or another recipient (the labels bind both)', async () => {
    const moved = entries.map((e) => (e.groupId === C ? { ...e, wrappedSecret: entries[0]!.wrappedSecret } : e));
    await expect(new GroupKeyring(ME, user.privateKey, moved).privateKeyFor(C)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    const otherUser = entries.map((e) => (e.groupId === A ? { ...e, via: 'u:bob' } : e));
    await expect(new GroupKeyring(ME, user.privateKey, otherUser).privateKeyFor(A)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });

  it('refuses a loop in the answer (C via B, B via C) instead of hanging', async () => {
    const loop = entries.map((e) => (e.groupId === C ? { ...e, via: `g:${B}`, viaKeyGeneration: 1 } : e));
    const keyring = new GroupKeyring(ME, user.privateKey, loop);
    await expect(keyring.privateKeyFor(B)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    await expect(keyring.privateKeyFor(C)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });

  it('refuses generations it has no chain to, and a sealed key of the wrong generation', async () => {
    const keyring = new GroupKeyring(ME, user.privateKey, entries);
    await expect(keyring.privateKeyFor(A, 3)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    await expect(keyring.privateKeyFor(A, 0)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    const swapped = entries.map((e) => (e.groupId === A ? { ...e, sealedPrivateKeys: { '1': e.sealedPrivateKey } } : e));
    await expect(new GroupKeyring(ME, user.privateKey, swapped).privateKeyFor(A, 1)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    const noChain = entries.map((e) => (e.groupId === A ? { ...e, keyChain: {} } : e));
    await expect(new GroupKeyring(ME, user.privateKey, noChain).privateKeyFor(A, 1)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });

  it('says NOT_IN_GROUP for a group it was not given, or one whose membership has no wrap yet', async () => {
    const keyring = new GroupKeyring(ME, user.privateKey, [...entries, { ...entries[0]!, groupId: 'WldaWldaWldaWldaWldaWg', wrappedSecret: undefined }] as KeyringGroup[]);
    await expect(keyring.privateKeyFor('WFhYWFhYWFhYWFhYWFhYWA')).rejects.toMatchObject({ code: 'NOT_IN_GROUP' });
    await expect(keyring.privateKeyFor('WldaWldaWldaWldaWldaWg')).rejects.toMatchObject({ code: 'NOT_IN_GROUP' });
  });

  it('verifiedPublicKey accepts the group key and refuses one the server substituted', async () => {
    const keyring = new GroupKeyring(ME, user.privateKey, entries);
    await expect(keyring.verifiedPublicKey(A)).resolves.toBeDefined();
    const intruder = await generateGroupKeyPair();
    const substituted = entries.map((e) => (e.groupId === A ? { ...e, publicKey: toBase64Url(intruder.publicKeySpki) } : e));
    await expect(new GroupKeyring(ME, user.privateKey, substituted).verifiedPublicKey(A)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });
});
