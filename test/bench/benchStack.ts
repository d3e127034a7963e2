import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../infra/local/startLocalStack.js';

/**
 * A fresh in-memory local stack on a random port for one benchmark, with its own DynamoDB Local.
 * Benchmarks run outside vitest, so they cannot use the test run's shared DynamoDB Local.
 */
export function startBenchStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  return startLocalStack({ inMemory: true, port: 0, quiet: true, ...options });
}

export type { LocalStack };
