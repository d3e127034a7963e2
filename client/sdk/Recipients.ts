import { fingerprint, fromBase64Url, importPublicKey } from '../../shared/core/crypto/index.js';
import type { GroupView } from '../../shared/core/api/schemas/groups.js';
import type { LookupUsersResponse, PublicProfile } from '../../shared/core/api/schemas/users.js';
import type { ApiClient } from './ApiClient.js';
import { KeyChangedError, KeyMismatchError, UnknownUsersError } from './errors.js';
import type { KeyPinStore } from './KeyPinStore.js';

/** A user whose public key passed the pin check: safe to wrap a document key for. */
export interface Recipient {
  userId: string;
  publicKey: CryptoKey;
  /** SHA-256 of the SPKI, computed here. */
  fingerprint: string;
}

/** A group whose current public key passed the pin check (pinned as `g:<groupId>`). */
export interface GroupRecipient {
  groupId: string;
  publicKey: CryptoKey;
  fingerprint: string;
  /** The group key generation this public key belongs to. */
  keyGeneration: number;
}

export interface ResolveOptions {
  /** Users (and groups, as `g:<groupId>`) whose changed key the caller has verified out of band: re-pin instead of refusing. */
  acceptNewKeyFor?: Iterable<string>;
}

/** How a principal's current key stands against this client's pin, before anything is pinned. */
export interface KeyStatus {
  /** `u:<userId>` or `g:<groupId>`. */
  principalId: string;
  name: string;
  /** SHA-256 of the key the server presents, computed here. */
  fingerprint: string;
  /** The fingerprint pinned before, if any. */
  pinned?: string;
  /** `new`: never seen (a share pins it); `pinned`: the pinned key; `changed`: a share is refused with KEY_CHANGED. */
  status: 'new' | 'pinned' | 'changed';
}

export interface TrustResult {
  userId: string;
  fingerprint: string;
  previousFingerprint?: string;
}

/** GET /users takes at most this many ids. */
const LOOKUP_BATCH = 100;

/**
 * The public-key directory as the client trusts it: profiles from GET /users, checked
 * against the stated fingerprint and against the TOFU pins.
 */
export class Recipients {
  constructor(
    private readonly api: ApiClient,
    private readonly pins: KeyPinStore,
  ) {}

  /** Public profiles, in batches the server accepts. No pin checks: use `resolve` before wrapping keys. */
  async lookup(userIds: readonly string[]): Promise<LookupUsersResponse> {
    const ids = [...new Set(userIds)];
    const result: LookupUsersResponse = { users: [], unknownUserIds: [] };
    for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
      const batch = ids.slice(i, i + LOOKUP_BATCH);
      const page = await this.api.get<LookupUsersResponse>('/users', { query: { ids: batch.join(',') } });
      result.users.push(...page.users);
      result.unknownUserIds.push(...page.unknownUserIds);
    }
    return result;
  }

  /** Every user's verified public key, in the order asked; throws UNKNOWN_USERS or KEY_CHANGED. */
  async resolve(userIds: readonly string[], options: ResolveOptions = {}): Promise<Recipient[]> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return [];
    const { users, unknownUserIds } = await this.lookup(ids);
    const byId = new Map(users.map((u) => [u.userId, u]));
    const missing = ids.filter((id) => !byId.has(id) || unknownUserIds.includes(id));
    if (missing.length > 0) throw new UnknownUsersError(missing);
    const accept = new Set(options.acceptNewKeyFor ?? []);
    const recipients: Recipient[] = [];
    for (const id of ids) recipients.push(await this.checkProfile(byId.get(id)!, accept.has(id)));
    return recipients;
  }

  /**
   * Every group's verified current public key (GET /groups/{id}), in the order asked, pinned
   * TOFU under `g:<groupId>` in the same pin store as users. An unknown group is GROUP_NOT_FOUND;
   * a changed key is KEY_CHANGED (a group's key also rotates when a member is removed).
   */
  async resolveGroups(groupIds: readonly string[], options: ResolveOptions = {}): Promise<GroupRecipient[]> {
    const accept = new Set(options.acceptNewKeyFor ?? []);
    const out: GroupRecipient[] = [];
    for (const groupId of new Set(groupIds)) {
      const group = await this.api.get<GroupView>(`/groups/${encodeURIComponent(groupId)}`);
      const pinId = `g:${groupId}`;
      const { publicKey, fingerprint: fp } = await this.checkPin(pinId, group.publicKey, group.fingerprint, accept.has(pinId));
      out.push({ groupId, publicKey, fingerprint: fp, keyGeneration: group.keyGeneration });
    }
    return out;
  }

  /** Pins the user's (or group's, `g:<groupId>`) current key, replacing an older pin: call only after checking the fingerprint out of band. */
  async trust(userId: string): Promise<TrustResult> {
    if (userId.startsWith('g:')) {
      const previousFingerprint = await this.pins.get(userId);
      const [group] = await this.resolveGroups([userId.slice(2)], { acceptNewKeyFor: [userId] });
      return previousFingerprint && previousFingerprint !== group!.fingerprint
        ? { userId, fingerprint: group!.fingerprint, previousFingerprint }
        : { userId, fingerprint: group!.fingerprint };
    }
    const { users } = await this.lookup([userId]);
    const profile = users.find((u) => u.userId === userId);
    if (!profile) throw new UnknownUsersError([userId]);
    const previousFingerprint = await this.pins.get(userId);
    const recipient = await this.checkProfile(profile, true);
    return previousFingerprint && previousFingerprint !== recipient.fingerprint
      ? { userId, fingerprint: recipient.fingerprint, previousFingerprint }
      : { userId, fingerprint: recipient.fingerprint };
  }

  /**
   * A user's (`alice`, `u:alice`) or group's (`g:<groupId>`) current key as a share would meet it,
   * with nothing pinned: for showing the fingerprint before sharing. UNKNOWN_USERS for an unknown
   * user; KEY_FINGERPRINT_MISMATCH when the stated fingerprint is not the key's.
   */
  async keyStatus(principal: string): Promise<KeyStatus> {
    let pinId: string;
    let presented: { name: string; publicKey: string; fingerprint: string };
    if (principal.startsWith('g:')) {
      pinId = principal;
      presented = await this.api.get<GroupView>(`/groups/${encodeURIComponent(principal.slice(2))}`);
    } else {
      pinId = principal.startsWith('u:') ? principal.slice(2) : principal;
      const { users } = await this.lookup([pinId]);
      const profile = users.find((u) => u.userId === pinId);
      if (!profile) throw new UnknownUsersError([pinId]);
      presented = profile;
    }
    const { fingerprint: computed } = await verifiedKey(pinId, presented.publicKey, presented.fingerprint);
    const pinned = await this.pins.get(pinId);
    const status = pinned === undefined ? 'new' : pinned === computed ? 'pinned' : 'changed';
    return {
      principalId: pinId.startsWith('g:') ? pinId : `u:${pinId}`,
      name: presented.name,
      fingerprint: computed,
      ...(pinned !== undefined && { pinned }),
      status,
    };
  }

  /** Records a key the client has proven authentic itself: its own at login, a group key it generated (create, rotation). */
  async pinVerified(userId: string, fp: string): Promise<void> {
    await this.pins.set(userId, fp);
  }

  private async checkProfile(profile: PublicProfile, acceptChange: boolean): Promise<Recipient> {
    const checked = await this.checkPin(profile.userId, profile.publicKey, profile.fingerprint, acceptChange);
    return { userId: profile.userId, ...checked };
  }

  /** `pinId`: a user id, or `g:<groupId>`. */
  private async checkPin(
    pinId: string,
    publicKeySpki: string,
    statedFingerprint: string,
    acceptChange: boolean,
  ): Promise<{ publicKey: CryptoKey; fingerprint: string }> {
    const { spki, fingerprint: computed } = await verifiedKey(pinId, publicKeySpki, statedFingerprint);
    const pinned = await this.pins.get(pinId);
    if (pinned === undefined || (pinned !== computed && acceptChange)) {
      await this.pins.set(pinId, computed);
    } else if (pinned !== computed) {
      throw new KeyChangedError(pinId, pinned, computed);
    }
    return { publicKey: await importPublicKey(spki), fingerprint: computed };
  }
}

/** The key's bytes and our own hash of them, which must be the fingerprint the server states. */
async function verifiedKey(pinId: string, publicKeySpki: string, statedFingerprint: string): Promise<{ spki: Uint8Array; fingerprint: string }> {
  const spki = fromBase64Url(publicKeySpki);
  const computed = await fingerprint(spki);
  // Security check, do not remove: the fingerprint we pin is our own hash of the key we use.
  if (computed !== statedFingerprint) throw new KeyMismatchError(pinId);
  return { spki, fingerprint: computed };
}
