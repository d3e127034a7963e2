import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CofferConfig } from '../config.js';
import { DEFAULTS } from '../defaults.js';
import { CofferFunction } from './CofferFunction.js';
import { grantObjectCleanup, grantTableCleanup } from './grants.js';

export interface CleanupJobProps {
  readonly config: CofferConfig;
  readonly table: ITableV2;
  readonly documentsBucket: IBucket;
}

/**
 * The cleanup job (docs/links.md, "Cleanup"): `functions/cleanup/handler.ts` on an EventBridge
 * schedule. It holds only item reads and writes on the table and its indexes, and object deletes
 * and multipart aborts under `docs/` of the documents bucket: no KMS key of its own (the table's
 * key only through DynamoDB), no object reads or writes.
 */
export class CleanupJob extends Construct {
  readonly function: CofferFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: CleanupJobProps) {
    super(scope, id);
    this.function = new CofferFunction(this, 'Function', { job: 'cleanup', config: props.config, timeout: DEFAULTS.cleanup.timeout });
    grantTableCleanup(this.function, props.table);
    grantObjectCleanup(this.function, props.documentsBucket);

    this.rule = new Rule(this, 'Schedule', {
      description: 'Coffer cleanup: expired links and shares, abandoned uploads, interrupted deletes',
      schedule: Schedule.rate(DEFAULTS.cleanup.every),
      // Delivery is retried for half an hour at most; after that the next hourly run does the work.
      targets: [new LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.minutes(30) })],
    });
  }
}
