import { type LocalStack, type LocalStackOptions, startLocalStack as start } from '../../infra/local/startLocalStack.js';

/**
 * A fresh in-memory local stack on a random port, for one test file. No cleanup timer (unless
 * `cleanupIntervalSeconds` is given): a test runs the job when it means to, with `stack.cleanup()`.
 */
export function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  return start({ inMemory: true, port: 0, quiet: true, ...options });
}

export type { LocalStack };
