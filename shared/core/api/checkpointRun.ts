import type { AuditFinding } from './auditReport.js';

/** What `POST /audit/checkpoints` answers: which chains the checkpoint job signed and which it refused. */
export interface CheckpointRun {
  /** Shards whose head was signed now, with the seq signed. */
  signed: { shard: string; seq: number }[];
  /** Shards left unsigned because their chain does not verify: never sign a tampered state. */
  refused: { shard: string; findings: AuditFinding[] }[];
}
