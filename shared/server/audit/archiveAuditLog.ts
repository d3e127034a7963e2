import { auditShards, latestCheckpoint } from '../data/auditChain.js';
import {
  advanceArchiveCursor,
  type ArchiveCursor,
  claimArchiveRange,
  readArchiveCursor,
  readChainRange,
  readCheckpointAt,
} from '../data/auditArchive.js';
import type { Database } from '../data/Database.js';
import { auditArchiveObject } from '../data/keys.js';
import { CofferError } from '../../core/errors/index.js';
import type { AuditArchive } from '../ports/AuditArchive.js';
import { canonicalJson } from './canonicalJson.js';
import { eventHash } from './eventHash.js';

export interface ArchiveDeps {
  db: Database;
  archive: AuditArchive;
}

export interface ArchiveOptions {
  /** The chains to archive (default: all). The audit job leaves out those that did not verify. */
  shards?: readonly string[];
  /** At most this many events per object (default 5000: a few MB). */
  maxEventsPerObject?: number;
}

export interface ArchiveRun {
  /** Objects written and recorded by this run. */
  archived: { shard: string; fromSeq: number; toSeq: number; key: string }[];
  /**
   * Chains this run stopped on: `cursorMoved` (another run is archiving it; not an error), or
   * `chainMismatch` (the stored events no longer form the chain the cursor and checkpoint say:
   * nothing archived, verify names the tampering).
   */
  stopped: { shard: string; reason: 'cursorMoved' | 'chainMismatch' }[];
}

export const DEFAULT_MAX_EVENTS_PER_OBJECT = 5000;

/**
 * The archive job (docs/audit.md, "Archive"), run by the audit job right after it signs: copies
 * every event up to each chain's latest signed checkpoint that is not archived yet into the
 * audit archive, as JSON Lines objects `audit/<shard>/<from>-<to>.jsonl`: one stored item per
 * line, exactly as stored (canonical JSON, `pk` and `sk` included), the checkpoint at `to` as
 * the last line when the range ends at one.
 *
 * Per chain and range: claim it on the cursor (guarded), check it still links to what was
 * archived before and to its checkpoint, put the object, then move the cursor past it
 * (guarded). A run that crashes after the put leaves the claim; the next run rebuilds the same
 * range into the same bytes under the same key (a second, identical version under Object
 * Lock) and moves the cursor. Two runs at once put at most the same objects, and one of them
 * moves the cursor: no range is archived twice under two keys, none is skipped.
 */
export async function archiveAuditLog(deps: ArchiveDeps, options: ArchiveOptions = {}): Promise<ArchiveRun> {
  const max = options.maxEventsPerObject ?? DEFAULT_MAX_EVENTS_PER_OBJECT;
  if (!Number.isInteger(max) || max < 1) throw new RangeError('maxEventsPerObject must be a positive integer');
  const run: ArchiveRun = { archived: [], stopped: [] };
  for (const shard of options.shards ?? auditShards) {
    try {
      await archiveShard(deps, shard, max, run);
    } catch (error) {
      if (!(error instanceof CofferError && error.code === 'ARCHIVE_CURSOR_MOVED')) throw error;
      run.stopped.push({ shard, reason: 'cursorMoved' });
    }
  }
  return run;
}

async function archiveShard(deps: ArchiveDeps, shard: string, max: number, run: ArchiveRun): Promise<void> {
  let cursor = await readArchiveCursor(deps.db, shard);
  for (;;) {
    if (!cursor.pending) {
      const checkpoint = await latestCheckpoint(deps.db, shard);
      const signedSeq = checkpoint ? Number(checkpoint.seq) : 0;
      if (signedSeq <= cursor.seq) return;
      const toSeq = Math.min(signedSeq, cursor.seq + max);
      cursor = await claimArchiveRange(deps.db, cursor, { fromSeq: cursor.seq + 1, toSeq, withCheckpoint: toSeq === signedSeq });
    }
    const range = cursor.pending!;
    const object = await buildObject(deps.db, cursor);
    if (!object) {
      run.stopped.push({ shard, reason: 'chainMismatch' });
      return;
    }
    const key = auditArchiveObject(shard, range.fromSeq, range.toSeq);
    await deps.archive.put(key, object.body);
    cursor = await advanceArchiveCursor(deps.db, cursor, object.lastHash);
    run.archived.push({ shard, fromSeq: range.fromSeq, toSeq: range.toSeq, key });
  }
}

/**
 * The object of the cursor's claimed range, or undefined when the stored events do not form
 * the chain: a missing or extra seq, an event whose hash does not match, a `prevHash` that does
 * not link to the previous event (the cursor's hash for the first), or a checkpoint that does
 * not sign the last event. Do not remove: the archive must never preserve a tampered range.
 */
async function buildObject(db: Database, cursor: ArchiveCursor): Promise<{ body: Uint8Array; lastHash: string } | undefined> {
  const range = cursor.pending!;
  const events = await readChainRange(db, cursor.shard, range.fromSeq, range.toSeq);
  if (events.length !== range.toSeq - range.fromSeq + 1) return undefined;
  const lines: string[] = [];
  let previous = cursor.hash;
  for (const [i, event] of events.entries()) {
    let hash: string;
    try {
      hash = eventHash(event);
      lines.push(canonicalJson(event));
    } catch {
      return undefined; // a value canonical JSON refuses: not what the writer stored
    }
    if (event.seq !== range.fromSeq + i || event.shard !== cursor.shard || event.hash !== hash || event.prevHash !== previous) return undefined;
    previous = hash;
  }
  if (range.withCheckpoint) {
    const checkpoint = await readCheckpointAt(db, cursor.shard, range.toSeq);
    if (!checkpoint || checkpoint.hash !== previous) return undefined;
    lines.push(canonicalJson(checkpoint));
  }
  return { body: new TextEncoder().encode(`${lines.join('\n')}\n`), lastHash: previous };
}
