import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { type LocalStack, type LocalStackOptions, startLocalStack as start } from '../../infra/local/startLocalStack.js';

/**
 * A fresh in-memory local stack on a random port, for one test file: its own HTTP server, s3rver
 * (own directory), keyring and table, on the run's one warm DynamoDB Local (test/helpers/
 * sharedDynamo.ts). The table has a name of its own and is deleted on stop, so files never see
 * each other's data. No cleanup timer (unless `cleanupIntervalSeconds` is given): a test runs the
 * job when it means to, with `stack.cleanup()`.
 */
export function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const endpoint = inject('dynamodbEndpoint');
  if (!endpoint) throw new Error('No shared DynamoDB Local: run integration tests through vitest (its globalSetup starts one)');
  const table = `coffer-test-${randomUUID()}`;
  return start({ inMemory: true, port: 0, quiet: true, dynamodb: { endpoint, table }, ...options });
}

export type { LocalStack };
