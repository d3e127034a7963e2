import { CofferError } from '../../../../shared/core/errors/index.js';
import type { CofferClient } from '../../../sdk/CofferClient.js';
import { KeyChangedError } from '../../../sdk/errors.js';
import type { KeyPinStore } from '../../../sdk/KeyPinStore.js';
import type { AccessEntry, Level, NodeAccess, SharingRequest, SharingResult } from './sharingProtocol.js';

/**
 * The account worker's sharing operations (docs/web.md, "Sharing"): each is one SDK call or a
 * few (share, revoke, setRole, permissions, keyStatus, trustNewKey), so the pin checks, the key
 * wrapping and the revoke's key rotation are the SDK's own, never written twice.
 */
export class SharingOps {
  constructor(
    private readonly client: CofferClient,
    private readonly pins: KeyPinStore & { readonly persistent: boolean },
  ) {}

  async handle(request: SharingRequest): Promise<SharingResult> {
    switch (request.op) {
      case 'access':
        return { access: await this.access(request.nodeId) };
      case 'recipient':
        return { recipient: await this.client.keyStatus(request.principal) };
      case 'share':
        return this.share(request.nodeId, request.principals, request.level, request.expiresAt);
      case 'changeLevel':
        await this.client.setRole(request.nodeId, request.principalId, request.level);
        return { done: true };
      case 'revoke': {
        // A document's revoke also starts a new key generation (the SDK's revoke does it): reported as it comes.
        const { revoked, notShared, keyGeneration } = await this.client.revoke(request.nodeId, [request.principalId]);
        return { revoked: { revoked, notShared, ...(keyGeneration !== undefined && { keyGeneration }) } };
      }
      case 'acceptNewKey':
        return { accepted: await this.acceptNewKey(request.principalId, request.fingerprint) };
    }
  }

  /** Who has access (GET /nodes/{id}/permissions) with names: users from the directory, groups by id, folders decrypted. */
  private async access(nodeId: string): Promise<NodeAccess> {
    const [listed, [mine], groups] = await Promise.all([this.client.permissions(nodeId), this.client.checkAccess([nodeId]), this.client.listGroups()]);
    if (!mine) throw new CofferError('NODE_NOT_FOUND', 'No such document or folder, or you have no access to it.');
    const userIds = listed.entries.filter((e) => e.principalKind === 'user').map((e) => e.principalId.slice(2));
    const names = new Map<string, string>();
    if (userIds.length > 0) for (const u of (await this.client.lookupUsers(userIds)).users) names.set(`u:${u.userId}`, u.name);
    for (const g of groups) names.set(`g:${g.groupId}`, g.name);
    await Promise.all(
      listed.entries
        .filter((e) => e.principalKind === 'group' && !names.has(e.principalId))
        .map(async (e) => {
          const group = await this.client.getGroup(e.principalId.slice(2)).catch(() => undefined);
          if (group) names.set(e.principalId, group.name);
        }),
    );
    const folders = new Map<string, Promise<string | undefined>>();
    const folderName = (folderId: string) => {
      let name = folders.get(folderId);
      if (!name) folders.set(folderId, (name = this.client.getFolder(folderId).then((f) => f.name, () => undefined)));
      return name;
    };
    const entries: AccessEntry[] = await Promise.all(
      listed.entries.map(async (e) => ({
        principalId: e.principalId,
        kind: e.principalKind,
        name: names.get(e.principalId),
        role: e.role,
        source: e.source,
        ...(e.inheritedFrom !== undefined && { inheritedFrom: { folderId: e.inheritedFrom, name: await folderName(e.inheritedFrom) } }),
        ...(e.expiresAt !== undefined && { expiresAt: e.expiresAt }),
      })),
    );
    const canShare = mine.capabilities.includes('share');
    const maxLevel: Level | undefined = !canShare ? undefined : mine.role === 'manager' || mine.role === 'owner' ? 'manager' : 'editor';
    return {
      nodeId,
      ownerId: listed.ownerId,
      role: mine.role,
      ...(maxLevel && { maxLevel }),
      entries,
      groups: groups.map((g) => ({ groupId: g.groupId, name: g.name })).sort((a, b) => a.name.localeCompare(b.name)),
      pinsPersist: this.pins.persistent,
    };
  }

  /** The SDK's share, pin-checked; a changed key is an answer (both fingerprints), not a failure, and nothing is shared. */
  private async share(nodeId: string, principals: string[], level: Level, expiresAt: string | undefined): Promise<SharingResult> {
    const userIds = principals.filter((p) => !p.startsWith('g:'));
    const groupIds = principals.filter((p) => p.startsWith('g:'));
    try {
      const result = await this.client.share(nodeId, { userIds, groupIds }, { role: level, ...(expiresAt !== undefined && { expiresAt: new Date(expiresAt) }) });
      return { shared: { sharedWith: result.sharedWith, alreadyShared: result.alreadyShared } };
    } catch (error) {
      if (!(error instanceof KeyChangedError)) throw error;
      const principalId = error.userId.startsWith('g:') ? error.userId : `u:${error.userId}`;
      const name = await this.client.keyStatus(principalId).then((s) => s.name, () => undefined);
      return { keyChanged: { principalId, name, pinned: error.pinnedFingerprint, presented: error.presentedFingerprint } };
    }
  }

  /**
   * Re-pins a changed key after the person compared `fingerprint` out of band, and only that key:
   * if the server now presents another, nothing is accepted (and a pin replaced in a race is put back).
   */
  private async acceptNewKey(principalId: string, fingerprint: string): Promise<{ principalId: string; fingerprint: string }> {
    const pinId = principalId.startsWith('u:') ? principalId.slice(2) : principalId;
    const again = () => new CofferError('KEY_CHANGED', 'The key changed again since you compared it: nothing was accepted. Compare the new fingerprint, then accept it.');
    const before = await this.client.keyStatus(pinId);
    if (before.fingerprint !== fingerprint) throw again();
    const trusted = await this.client.trustNewKey(pinId);
    if (trusted.fingerprint !== fingerprint) {
      if (before.pinned !== undefined) await this.pins.set(pinId, before.pinned);
      throw again();
    }
    return { principalId, fingerprint };
  }
}
