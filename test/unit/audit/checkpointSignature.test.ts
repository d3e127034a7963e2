import { describe, expect, it } from 'vitest';
import { LocalKeyringKeyService } from '../../../shared/server/adapters/local/LocalKeyringKeyService.js';
import { CHECKPOINT_PURPOSE, checkpointMessage, checkpointSignatureValid } from '../../../shared/server/audit/checkpointSignature.js';

const claim = { shard: '03', seq: 12, hash: 'ab'.repeat(32), at: '2026-01-02T03:04:05.000Z' };

async function signed() {
  const keys = LocalKeyringKeyService.inMemory();
  const spki = await keys.auditCheckpointPublicKey();
  const signature = Buffer.from(await keys.signAuditCheckpoint(checkpointMessage(claim))).toString('base64url');
  return { keys, spki, signature };
}

describe('checkpointSignatureValid', () => {
  it('accepts the signature of exactly this claim under this key', async () => {
    const { spki, signature } = await signed();
    expect(checkpointSignatureValid(spki, claim, signature)).toBe(true);
  });

  it('binds the purpose, so the same fields signed without it do not verify', async () => {
    const { keys, spki } = await signed();
    const bare = new TextEncoder().encode(JSON.stringify(claim));
    const signature = Buffer.from(await keys.signAuditCheckpoint(bare)).toString('base64url');
    expect(checkpointSignatureValid(spki, claim, signature)).toBe(false);
    expect(new TextDecoder().decode(checkpointMessage(claim))).toContain(CHECKPOINT_PURPOSE);
  });

  it.each([
    ['another shard', { ...claim, shard: '04' }],
    ['another seq', { ...claim, seq: 13 }],
    ['a seq as a string', { ...claim, seq: '12' as unknown as number }],
    ['another hash', { ...claim, hash: 'ac'.repeat(32) }],
    ['another time', { ...claim, at: '2026-01-02T03:04:06.000Z' }],
  ])('refuses the signature for %s', async (_label, other) => {
    const { spki, signature } = await signed();
    expect(checkpointSignatureValid(spki, other, signature)).toBe(false);
  });

  it.each([
    ['undefined', undefined],
    ['a number', 42],
    ['empty', ''],
    ['too short', 'A'.repeat(85)],
    ['not base64url', `${'A'.repeat(85)}+`],
    ['zeros', 'A'.repeat(86)],
  ])('is false, never an exception, for a signature that is %s', async (_label, signature) => {
    const { spki } = await signed();
    expect(checkpointSignatureValid(spki, claim, signature)).toBe(false);
  });

  it('is false for another key and for a key that is not a key', async () => {
    const { signature } = await signed();
    expect(checkpointSignatureValid(await LocalKeyringKeyService.inMemory().auditCheckpointPublicKey(), claim, signature)).toBe(false);
    expect(checkpointSignatureValid(new Uint8Array(91), claim, signature)).toBe(false);
  });
});
