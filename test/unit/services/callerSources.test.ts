import { describe, expect, it } from 'vitest';
import type { NodeMeta } from '../../../shared/server/data/nodes.js';
import { callerSources } from '../../../shared/server/services/documents/callerSources.js';

const NOW = Date.parse('2026-12-08T03:00:00.000Z');

function node(nodeId: string, acl: NodeMeta['acl']): NodeMeta {
  return {
    nodeId,
    kind: 'folder',
    ownerId: 'alice',
    state: 'active',
    path: [],
    acl,
    settings: { editorsCanShare: true },
    keyGeneration: 1,
    encryptedName: 'x',
    rev: 1,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
  };
}

describe('callerSources', () => {
  it('names each of the caller’s principals on the node, then on each folder above, in the order given', () => {
    // Prepare
    const doc = node('doc', { 'u:bob': { role: 'viewer' }, 'g:team': { role: 'editor' }, 'u:carol': { role: 'manager' } });
    const folder = node('folder', { 'g:team': { role: 'owner' }, 'g:other': { role: 'viewer' } });
    // Act
    const sources = callerSources([doc, folder], ['u:bob', 'g:team'], NOW);
    // Assess: carol and the other group are not the caller's; an inherited owner counts as manager
    expect(sources).toEqual([
      { principalId: 'u:bob', role: 'viewer' },
      { principalId: 'g:team', role: 'editor' },
      { principalId: 'g:team', role: 'manager', folderId: 'folder' },
    ]);
  });

  it('leaves out an expired entry and keeps a live expiry', () => {
    // Prepare
    const doc = node('doc', {
      'u:bob': { role: 'editor', expiresAt: '2026-12-08T02:59:59.000Z' },
      'g:team': { role: 'viewer', expiresAt: '2026-12-09T00:00:00.000Z' },
    });
    // Act
    const sources = callerSources([doc], ['u:bob', 'g:team'], NOW);
    // Assess
    expect(sources).toEqual([{ principalId: 'g:team', role: 'viewer', expiresAt: '2026-12-09T00:00:00.000Z' }]);
  });
});
