import type { Deps } from '../config/Deps.js';
import { auditShards, latestCheckpoint, putCheckpoint } from '../data/auditChain.js';
import type { Database } from '../data/Database.js';
import { CofferError } from '../../core/errors/index.js';
import { checkpointKeyId, checkpointMessage } from './checkpointSignature.js';
import { verifyShard } from './verifyAuditLog.js';
import type { CheckpointRun } from '../../core/api/checkpointRun.js';

export interface CheckpointDeps {
  db: Database;
  keys: Pick<Deps['keys'], 'signAuditCheckpoint' | 'auditCheckpointPublicKey'>;
  clock: () => number;
}

/**
 * The checkpoint job (on demand, and on the cleanup schedule): for each chain that has grown
 * since its last checkpoint, verify it, then sign its head `{ shard, seq, hash, at }` with the
 * audit checkpoint key and store it (guard: one checkpoint per seq; a concurrent run's is kept).
 * A chain that does not verify is not signed; its findings are returned.
 */
export async function signCheckpoints(deps: CheckpointDeps): Promise<CheckpointRun> {
  const spki = await deps.keys.auditCheckpointPublicKey();
  const run: CheckpointRun = { signed: [], refused: [] };
  for (const shard of auditShards) {
    const latest = await latestCheckpoint(deps.db, shard);
    const { findings, head } = await verifyShard(deps.db, shard, spki);
    if (findings.length > 0) {
      run.refused.push({ shard, findings });
      continue;
    }
    if (head.seq === 0 || (latest && Number(latest.seq) >= head.seq)) continue;
    const claim = { shard, seq: head.seq, hash: head.hash, at: new Date(deps.clock()).toISOString() };
    const signature = Buffer.from(await deps.keys.signAuditCheckpoint(checkpointMessage(claim))).toString('base64url');
    try {
      await putCheckpoint(deps.db, { ...claim, keyId: checkpointKeyId(spki), signature });
      run.signed.push({ shard, seq: head.seq });
    } catch (error) {
      if (!(error instanceof CofferError && error.code === 'CHECKPOINT_EXISTS')) throw error;
    }
  }
  return run;
}
