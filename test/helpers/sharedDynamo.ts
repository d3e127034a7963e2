import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../infra/local/startDynamoLocal.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's one DynamoDB Local (each test file makes its own table there). */
    dynamodbEndpoint: string;
  }
}

/**
 * globalSetup of the integration tests: one DynamoDB Local for the whole run, warm after the first
 * files, instead of a cold JVM per file. Stopped when the run ends.
 */
export default async function sharedDynamo(project: TestProject): Promise<() => Promise<void>> {
  // This runs in vitest's main process, which the config's `env` (set for the workers) does not reach.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // The JVM inherits this. A test run is a few minutes long: C2 compilation would cost more CPU
  // than its faster code saves (measured: DynamoDB Local's CPU 25 s -> 15 s over the groups and
  // folders files); one serial GC thread for a small heap on 2 cores.
  process.env.JDK_JAVA_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';
  // Two projects (integration, web) use this globalSetup: one JVM serves both,
  // stopped when the last of them ends.
  const shared = ((globalThis as { [SHARED]?: Shared })[SHARED] ??= { dynamo: startDynamoLocal(), users: 0 });
  shared.users++;
  const dynamo = await shared.dynamo;
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  return async () => {
    if (--shared.users === 0) await dynamo.stop();
  };
}

const SHARED = Symbol.for('coffer.sharedDynamo');
interface Shared {
  dynamo: ReturnType<typeof startDynamoLocal>;
  users: number;
}
