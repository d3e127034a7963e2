import { CofferError } from '../../../../shared/core/errors/index.js';
import type { AuditReport } from '../../../sdk/audit.js';

/** Where a finding is: its shard and seq, range or sort key. */
export function findingPlace(f: AuditReport['findings'][number]): string {
  switch (f.kind) {
    case 'modified':
      return `shard ${f.shard} seq ${f.seq} (${f.detail})`;
    case 'removed':
      return `shard ${f.shard} seq ${f.from}${f.to !== f.from ? `-${f.to}` : ''}`;
    case 'inserted':
      return `shard ${f.shard} at ${f.sk} (${f.detail})`;
    case 'reordered':
      return `shard ${f.shard} seq ${f.seq} (holds the event written at ${String(f.holds)})`;
    case 'forgedCheckpoint':
      return `shard ${f.shard} at ${f.sk} (${f.detail})`;
    case 'checkpointMismatch':
      return `shard ${f.shard} checkpoint at seq ${f.seq} (events ${f.from}-${f.to} rewritten)`;
  }
}

const findingLines = (findings: AuditReport['findings']) => findings.map((f) => `  ${f.kind}: ${findingPlace(f)}`).join('\n');

/** A log that does not verify is a failure of the command (exit 8), naming every finding. */
export function auditLogInvalid(summary: string, findings: AuditReport['findings'], details: Record<string, unknown>): CofferError {
  return new CofferError('AUDIT_LOG_INVALID', `${summary}:\n${findingLines(findings)}`, details);
}
