import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CofferConfig } from '../config.js';
import { DEFAULTS } from '../defaults.js';
import { auditJobRoleName } from './auditJobRole.js';
import { CofferFunction } from './CofferFunction.js';
import { grantAuditArchive, grantAuditSign, grantTableAudit } from './grants.js';

export interface AuditJobProps {
  readonly config: CofferConfig;
  readonly table: ITableV2;
  readonly auditKey: IKey;
  /** The Object Lock archive (docs/audit.md, "Archive"); absent when archiving is off. */
  readonly archiveBucket?: IBucket;
}

/**
 * The audit checkpoint job (docs/audit.md, "Signed checkpoints", "Archive"):
 * `functions/audit/handler.ts` on an EventBridge schedule. The only function that may sign with
 * the audit key; it reads the chains, puts checkpoints and archive cursors, and puts objects in
 * the archive bucket (when there is one); no other key or bucket, no deletes. ApiStack also routes
 * the `audit` API area to it (queries, verify, checkpoints on demand: functions/audit/apiHandler.ts)
 * and adds what that needs: the token public key, the auditors, chain-head updates.
 */
export class AuditJob extends Construct {
  readonly function: CofferFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: AuditJobProps) {
    super(scope, id);
    this.function = new CofferFunction(this, 'Function', {
      job: 'audit',
      config: props.config,
      timeout: DEFAULTS.audit.timeout,
      // The audit key's policy denies kms:Sign to every other principal, by this name.
      roleName: auditJobRoleName(props.config),
    });
    grantTableAudit(this.function, props.table);
    grantAuditSign(this.function, props.auditKey);
    if (props.archiveBucket) grantAuditArchive(this.function, props.archiveBucket);

    this.rule = new Rule(this, 'Schedule', {
      description: 'Coffer audit: sign a checkpoint of every grown audit chain, then archive it',
      schedule: Schedule.rate(DEFAULTS.audit.every),
      targets: [new LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.minutes(30) })],
    });
  }
}
