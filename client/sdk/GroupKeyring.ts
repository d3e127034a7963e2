import {
  fromBase64Url,
  generateGroupSecret,
  importPublicKey,
  openGroupPrivateKey,
  unwrapKey,
  unwrapKeyUnderKey,
  wrapKey,
} from '../../shared/core/crypto/index.js';
import { CofferError, DecryptionFailed } from '../../shared/core/errors/index.js';
import type { KeyringGroup, ListMyGroupsResponse } from '../../shared/core/api/schemas/groups.js';
import type { ClientContext, GroupKeySource } from './ClientContext.js';

/** The caller is not in the group (or the server's answer did not include it). */
export class NotInGroupError extends CofferError {
  constructor(groupId: string) {
    super('NOT_IN_GROUP', `You are not a member of group ${groupId} (or the membership is still being applied): nothing to open.`, { groupId });
  }
}

/**
 * The group keys the logged-in user can open, from GET /groups (docs/permissions.md, "Keys"):
 * a direct group's secret is wrapped for the user's own key; a nested group's for the group the
 * user is in it through (`via`), whose private key is opened first (recursively: topological
 * order, with a guard against a server that answers with a loop). The secret of an older
 * generation is reached down the group's key chain from the current one; each generation's
 * private key is sealed under that generation's secret. Every label binds group id and
 * generation, so the server cannot hand one group's material out as another's.
 */
export class GroupKeyring implements GroupKeySource {
  private readonly byId: Map<string, KeyringGroup>;
  private readonly secrets = new Map<string, Promise<Uint8Array>>();
  private readonly privateKeys = new Map<string, Promise<CryptoKey>>();

  constructor(
    private readonly userId: string,
    private readonly userPrivateKey: CryptoKey,
    groups: readonly KeyringGroup[],
  ) {
    this.byId = new Map(groups.map((g) => [g.groupId, g]));
  }

  /** GET /groups as the logged-in user. */
  static async load(ctx: ClientContext): Promise<GroupKeyring> {
    const [session, response, privateKey] = await Promise.all([
      ctx.keeper.current(),
      ctx.api.get<ListMyGroupsResponse>('/groups'),
      ctx.privateKey(),
    ]);
    return new GroupKeyring(session.userId, privateKey, response.groups);
  }

  /** The groups as the server listed them (names, generations, via). */
  groups(): KeyringGroup[] {
    return [...this.byId.values()];
  }

  entry(groupId: string): KeyringGroup {
    const entry = this.byId.get(groupId);
    if (!entry) throw new NotInGroupError(groupId);
    return entry;
  }

  has(groupId: string): boolean {
    return this.byId.has(groupId);
  }

  /** The group's private key of `generation` (default: the current one), ready for unwrapKey. */
  async privateKeyFor(groupId: string, generation?: number): Promise<CryptoKey> {
    return this.privateKeyAt(groupId, generation ?? this.entry(groupId).keyGeneration, new Set());
  }

  /**
   * The group secret of `generation` (default: the current one). The caller owns the returned
   * copy and should wipe it after use.
   */
  async secretFor(groupId: string, generation?: number): Promise<Uint8Array> {
    const secret = await this.secretAt(groupId, generation ?? this.entry(groupId).keyGeneration, new Set());
    return secret.slice();
  }

  /**
   * The group's current public key, proven to belong to the private key its members hold
   * (a round trip through a random key), so a server cannot substitute its own for a group
   * the caller is in. Security check: do not remove.
   */
  async verifiedPublicKey(groupId: string): Promise<CryptoKey> {
    const entry = this.entry(groupId);
    const publicKey = await importPublicKey(fromBase64Url(entry.publicKey));
    const probe = generateGroupSecret();
    const label = { kind: 'group', resourceId: groupId, generation: entry.keyGeneration, recipientId: 'probe' } as const;
    const back = await unwrapKey(await this.privateKeyFor(groupId), await wrapKey(publicKey, probe, label), label).catch(() => undefined);
    if (!back || !equal(back, probe)) throw new DecryptionFailed();
    return publicKey;
  }

  private privateKeyAt(groupId: string, generation: number, visiting: Set<string>): Promise<CryptoKey> {
    // A loop in the server's answer (g1 via g2 via g1) cannot be a real membership: refuse it.
    if (visiting.has(groupId)) return Promise.reject(new DecryptionFailed());
    const key = `${groupId}#${generation}`;
    let found = this.privateKeys.get(key);
    if (!found) {
      found = (async () => {
        const entry = this.entry(groupId);
        const sealed = generation === entry.keyGeneration ? entry.sealedPrivateKey : entry.sealedPrivateKeys[String(generation)];
        if (!sealed) throw new DecryptionFailed();
        const secret = await this.secretAt(groupId, generation, visiting);
        return openGroupPrivateKey(secret, sealed, { groupId, generation });
      })();
      this.privateKeys.set(key, found);
      found.catch(() => this.privateKeys.delete(key));
    }
    return found;
  }

  private secretAt(groupId: string, generation: number, visiting: Set<string>): Promise<Uint8Array> {
    if (visiting.has(groupId)) return Promise.reject(new DecryptionFailed());
    const key = `${groupId}#${generation}`;
    let found = this.secrets.get(key);
    if (!found) {
      found = (async () => {
        const entry = this.entry(groupId);
        if (!Number.isInteger(generation) || generation < 1 || generation > entry.keyGeneration) throw new DecryptionFailed();
        const top = await this.wrappedSecret(entry, visiting);
        if (generation === top.generation) return top.secret;
        if (generation > top.generation) throw new DecryptionFailed();
        // Down the chain: keyChain[g] is S(g) under S(g + 1).
        const newer = await this.secretAt(groupId, generation + 1, visiting);
        const link = entry.keyChain[String(generation)];
        if (!link) throw new DecryptionFailed();
        return unwrapKeyUnderKey(newer, link, {
          kind: 'group-chain',
          resourceId: groupId,
          generation,
          parentId: groupId,
          parentGeneration: generation + 1,
        });
      })();
      this.secrets.set(key, found);
      found.catch(() => this.secrets.delete(key));
    }
    return found;
  }

  /** The secret wrapped for the member the caller is in the group through: the user itself, or a group opened first. */
  private async wrappedSecret(entry: KeyringGroup, visiting: Set<string>): Promise<{ secret: Uint8Array; generation: number }> {
    if (!entry.wrappedSecret || entry.secretKeyGeneration === undefined) throw new NotInGroupError(entry.groupId);
    const path = new Set(visiting).add(entry.groupId);
    const via = entry.via;
    let privateKey: CryptoKey;
    if (via === `u:${this.userId}`) {
      privateKey = this.userPrivateKey;
    } else if (via.startsWith('g:')) {
      const viaGroup = via.slice(2);
      const viaGeneration = entry.viaKeyGeneration ?? this.entry(viaGroup).keyGeneration;
      privateKey = await this.privateKeyAt(viaGroup, viaGeneration, path);
    } else {
      throw new DecryptionFailed();
    }
    const secret = await unwrapKey(privateKey, fromBase64Url(entry.wrappedSecret), {
      kind: 'group',
      resourceId: entry.groupId,
      generation: entry.secretKeyGeneration,
      recipientId: via,
    });
    return { secret, generation: entry.secretKeyGeneration };
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
