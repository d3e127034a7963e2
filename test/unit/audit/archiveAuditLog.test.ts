import { describe, expect, it } from 'vitest';
import { archiveAuditLog } from '../../../shared/server/audit/archiveAuditLog.js';
import { GENESIS_HASH } from '../../../shared/server/audit/eventHash.js';
import { advanceArchiveCursor, claimArchiveRange } from '../../../shared/server/data/auditArchive.js';
import type { Database } from '../../../shared/server/data/Database.js';
import { auditArchiveObject } from '../../../shared/server/data/keys.js';
import { AUDIT_ARCHIVE_KEY } from '../../../shared/server/ports/AuditArchive.js';

/** A database that fails the test if anything reaches it: the guards below must throw first. */
const untouchable = { doc: { send: () => Promise.reject(new Error('reached DynamoDB')) }, table: 't' } as unknown as Database;
const archive = { put: () => Promise.reject(new Error('reached the archive')) };

describe('archiveAuditLog', () => {
  it.each([0, -1, 1.5, Number.NaN])('refuses maxEventsPerObject %s before reading anything', async (max) => {
    await expect(archiveAuditLog({ db: untouchable, archive }, { maxEventsPerObject: max })).rejects.toThrow(RangeError);
  });
});

describe('archive cursor writes', () => {
  const idle = { shard: '00', seq: 4, hash: GENESIS_HASH };

  it('claims only the range right after an idle cursor', async () => {
    await expect(claimArchiveRange(untouchable, idle, { fromSeq: 6, toSeq: 9, withCheckpoint: true })).rejects.toThrow(RangeError);
    await expect(claimArchiveRange(untouchable, idle, { fromSeq: 5, toSeq: 4, withCheckpoint: true })).rejects.toThrow(RangeError);
    const busy = { ...idle, pending: { fromSeq: 5, toSeq: 9, withCheckpoint: true } };
    await expect(claimArchiveRange(untouchable, busy, { fromSeq: 5, toSeq: 9, withCheckpoint: true })).rejects.toThrow(RangeError);
  });

  it('advances only past a claimed range', async () => {
    await expect(advanceArchiveCursor(untouchable, idle, GENESIS_HASH)).rejects.toThrow(RangeError);
  });
});

describe('auditArchiveObject', () => {
  it('names a range by chain and zero-padded seqs, in the archive key space', () => {
    expect(auditArchiveObject('07', 1, 5000)).toBe('audit/07/000000000001-000000005000.jsonl');
    expect(AUDIT_ARCHIVE_KEY.test(auditArchiveObject('15', 123_456_789_012, 123_456_789_012))).toBe(true);
  });
});
