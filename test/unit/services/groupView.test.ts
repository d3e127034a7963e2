import { describe, expect, it } from 'vitest';
import type { GroupMeta } from '../../../shared/server/data/groupItems.js';
import { groupView } from '../../../shared/server/services/groups/groupView.js';

const META = {
  groupId: 'G1', name: 'Board', keyGeneration: 3, publicKey: 'pk', fingerprint: 'f'.repeat(64), memberCount: 2, createdAt: '2030-01-01T00:00:00.000Z',
  sealedPrivateKey: 'secret-sealed', keyChain: { 1: 'chain' }, sealedPrivateKeys: {}, supergroups: {}, adminCount: 1, createdBy: 'alice', rev: 7,
} as unknown as GroupMeta;

describe('groupView', () => {
  it("shows a non-member the group's public face only, never its sealed keys", () => {
    // Act
    const view = groupView(META);
    // Assess
    expect(view).toEqual({ groupId: 'G1', name: 'Board', keyGeneration: 3, publicKey: 'pk', fingerprint: 'f'.repeat(64), memberCount: 2, createdAt: '2030-01-01T00:00:00.000Z' });
    expect(JSON.stringify(view)).not.toContain('secret-sealed');
  });

  it('shows a member how they belong and the members sorted by principal id', () => {
    // Act
    const view = groupView(META, { via: 'u:bob', role: 'member', admin: false }, [
      { principalId: 'u:zoe', role: 'admin', kind: 'member' },
      { principalId: 'g:G2', role: 'member', kind: 'group' },
      { principalId: 'u:bob', role: 'member', kind: 'guest' },
    ]);
    // Assess
    expect(view.membership).toEqual({ via: 'u:bob', role: 'member', admin: false });
    expect(view.members!.map((m) => m.principalId)).toEqual(['g:G2', 'u:bob', 'u:zoe']);
  });
});
