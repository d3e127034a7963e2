import { commandGroup } from '../commandGroup.js';
import { auditCheckpoint } from './auditCheckpoint.js';
import { auditExport } from './auditExport.js';
import { auditVerify } from './auditVerify.js';

/** The audit log (docs/audit.md): verify, checkpoint, export. */
export const audit = commandGroup(
  'audit',
  'the tamper-evident audit log: verify it, sign checkpoints, export events as JSON Lines',
  [auditVerify, auditCheckpoint, auditExport],
);
