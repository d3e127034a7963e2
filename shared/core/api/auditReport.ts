/** One thing `verifyAuditLog` found wrong, with its exact place (docs/audit.md, "What verify reports"). */
export type AuditFinding =
  /** `content`: the event at `seq` no longer matches its hash. `rehashed`: its hash was recomputed too, so the next event's link breaks. `head`: the chain head does not match the last event. */
  | { kind: 'modified'; shard: string; seq: number; detail: 'content' | 'rehashed' | 'head' }
  /** Seqs `from`..`to` are missing. */
  | { kind: 'removed'; shard: string; from: number; to: number }
  /** An item the chain never wrote, at sort key `sk`. */
  | { kind: 'inserted'; shard: string; sk: string; detail: 'not a chain key' | 'beyond the head' | 'another shard' }
  /** The event stored at `seq` was written at `holds`. */
  | { kind: 'reordered'; shard: string; seq: number; holds: unknown }
  /** A checkpoint whose signature does not verify, or whose key does not match what it signs. */
  | { kind: 'forgedCheckpoint'; shard: string; sk: string; detail: 'signature' | 'position' }
  /** A genuine checkpoint the chain no longer matches: events `from`..`to` were rewritten (and re-hashed). */
  | { kind: 'checkpointMismatch'; shard: string; seq: number; from: number; to: number };

export interface ShardReport {
  shard: string;
  /** Events read (every SEQ# item, genuine or not). */
  events: number;
  headSeq: number;
  /** Genuine checkpoints, and the seq of the latest one the chain still matches (0: none). */
  checkpoints: number;
  lastCheckpointSeq: number;
}

/** What `verifyAuditLog` (and `POST /audit/verify`) answers: a tampered log is an answer, not an error. */
export interface AuditReport {
  ok: boolean;
  shards: ShardReport[];
  findings: AuditFinding[];
}
