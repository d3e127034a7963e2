import { createServer, type Server, type Socket } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_TIMEOUTS, documentClient } from '../../../shared/server/config/clients.js';
import { errorResponse } from '../../../shared/server/http/errorResponse.js';

/** A stalled service: it accepts connections and never answers. */
let stalled: Server;
let endpoint: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  stalled = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(stalled.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => stalled.close(resolve));
});

describe('the server’s AWS clients (as on AWS) against a stalled service', () => {
  it('give up with a TimeoutError after 3 attempts of 3 s each, well before API Gateway’s 30 s', async () => {
    const started = Date.now();
    const failure = await documentClient({ dynamodb: endpoint }, AWS_TIMEOUTS).send(new GetCommand({ TableName: 'coffer', Key: { pk: 'x', sk: 'y' } })).catch((error: unknown) => error);
    const seconds = (Date.now() - started) / 1000;
    expect((failure as Error).name).toBe('TimeoutError');
    expect(seconds).toBeGreaterThanOrEqual((3 * AWS_TIMEOUTS.requestTimeout) / 1000 - 0.5);
    expect(seconds).toBeLessThan(20);
    expect(sockets.length).toBe(3);
  }, 30_000);

  it('answer the client 503 SERVICE_UNAVAILABLE, worth a retry, and nothing of the SDK’s message', () => {
    const timeout = Object.assign(new Error('Connection timed out after 3000 ms to coffer-table.internal'), { name: 'TimeoutError' });
    const response = errorResponse(timeout);
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body as string)).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: 'A backing service did not answer in time: retry.' } });
    expect(errorResponse(new Error('boom')).statusCode).toBe(500);
  });
});
