import { describe, expect, it } from 'vitest';
import { auditDepsFromEnv } from '../../../functions/audit/auditDeps.js';
import { S3AuditArchive } from '../../../shared/server/adapters/aws/S3AuditArchive.js';

describe('auditDepsFromEnv', () => {
  it('needs the table and the audit key, and nothing else', () => {
    expect(() => auditDepsFromEnv({ AUDIT_KEY_ID: 'k' })).toThrow('TABLE_NAME');
    expect(() => auditDepsFromEnv({ TABLE_NAME: 't' })).toThrow('AUDIT_KEY_ID');
    const deps = auditDepsFromEnv({ TABLE_NAME: 't', AUDIT_KEY_ID: 'k' });
    expect(deps.db.table).toBe('t');
  });

  it('holds no token key: signing a token is refused without calling KMS', async () => {
    const deps = auditDepsFromEnv({ TABLE_NAME: 't', AUDIT_KEY_ID: 'k' });
    const keys = deps.keys as unknown as { sign(m: Uint8Array): Promise<Uint8Array> };
    await expect(keys.sign(new Uint8Array(1))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('archives only when AUDIT_ARCHIVE_BUCKET is set (archiving on), through the S3 adapter', () => {
    expect(auditDepsFromEnv({ TABLE_NAME: 't', AUDIT_KEY_ID: 'k' }).archive).toBeUndefined();
    expect(auditDepsFromEnv({ TABLE_NAME: 't', AUDIT_KEY_ID: 'k', AUDIT_ARCHIVE_BUCKET: 'b' }).archive).toBeInstanceOf(S3AuditArchive);
  });
});
