import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Deps } from '../../../shared/server/config/Deps.js';
import { Forbidden } from '../../../shared/core/errors/index.js';
import { areaHandler } from '../../../shared/server/http/areaHandler.js';
import { eventHash, GENESIS_HASH } from '../../../shared/server/audit/eventHash.js';
import { AuditScope } from '../../../shared/server/audit/requestAudit.js';
import { requestBase } from '../../../shared/server/http/auditRequest.js';
import { type AnyOperation, operation } from '../../../shared/server/http/Operation.js';
import { ROUTES } from '../../../shared/core/api/routes.js';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJndWVzdCJ9.c2lnbmF0dXJl';
const SECRET_BODY = 'text-that-must-never-be-audited';
const DOC = 'AAAAAAAAAAAAAAAAAAAAAA';
const NOW = Date.parse('2025-03-04T05:06:07.089Z');

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const mock = mockClient(DynamoDBDocumentClient);

function event(routeKey: string, pathParameters: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey,
    rawPath: `/documents/${DOC}/comments`,
    rawQueryString: 'cursor=secret-cursor',
    queryStringParameters: { cursor: 'secret-cursor' },
    pathParameters,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ commentId: 'x', ciphertext: SECRET_BODY, keyGeneration: 1 }),
    requestContext: { requestId: 'req-7', http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 't' } },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

function deps(kind: 'member' | 'guest'): Deps {
  return {
    db: { doc, table: 'coffer' },
    logger: { error: vi.fn() },
    tokens: { verify: vi.fn(async () => ({ sub: 'gina', kind, jti: 'j', exp: 0 })) },
    clock: () => NOW,
  } as unknown as Deps;
}

/** A documents area whose addComment answers as told and whose other routes are never called. */
function documentsArea(kind: 'member' | 'guest', run: () => Promise<{ status?: number; body?: unknown }>) {
  const never = operation({ async run() { throw new Error('not called'); } });
  const operations: Record<string, AnyOperation> = Object.fromEntries(ROUTES.filter((r) => r.area === 'documents').map((r) => [r.operation, never]));
  operations.addComment = operation({ params: z.object({ id: z.string() }), body: z.object({}).passthrough(), run });
  const d = deps(kind);
  return { handler: areaHandler('documents', operations, async () => d), deps: d };
}

const ADD_COMMENT = `POST /documents/{id}/comments`;

/** The one audit transaction sent: the event Put and the chain head Update, nothing else. */
function auditItem(): Record<string, unknown> {
  const calls = mock.commandCalls(TransactWriteCommand);
  expect(calls).toHaveLength(1);
  const items = calls[0]!.args[0].input.TransactItems!;
  expect(items).toHaveLength(2);
  expect(items[1]!.Update).toMatchObject({ Key: { pk: items[0]!.Put!.Item!.pk, sk: 'HEAD' }, ConditionExpression: 'attribute_not_exists(pk)' });
  return items[0]!.Put!.Item as Record<string, unknown>;
}

/** An empty audit log (no chain head yet) that accepts every transaction. */
function writableLog() {
  mock.on(GetCommand).resolves({});
  mock.on(TransactWriteCommand).resolves({});
}

describe('withRequestAudit', () => {
  beforeEach(() => mock.reset());

  it("records a guest's successful request: who, what, which ids, how it ended", async () => {
    writableLog();
    const { handler } = documentsArea('guest', async () => ({ status: 201, body: { ok: true } }));
    const res = await handler(event(ADD_COMMENT, { id: DOC }));
    expect(res.statusCode).toBe(201);
    expect(mock).toHaveReceivedCommandWith(GetCommand, { TableName: 'coffer', ConsistentRead: true });
    const item = auditItem();
    expect(item).toMatchObject({
      sk: 'SEQ#000000000001',
      seq: 1,
      prevHash: GENESIS_HASH,
      userAgent: 't',
      type: 'audit',
      at: '2025-03-04T05:06:07.089Z',
      actorId: 'gina',
      actorKind: 'guest',
      operation: 'addComment',
      category: 'content',
      resourceKind: 'node',
      resourceId: DOC,
      outcome: 'success',
      method: 'POST',
      path: '/documents/{id}/comments',
      targets: { id: DOC },
      status: 201,
      requestId: 'req-7',
      sourceIp: '203.0.113.9',
    });
    expect(item.pk).toMatch(/^AUDIT#[0-9]{2}$/);
    expect(item.shard).toBe(String(item.pk).slice('AUDIT#'.length));
    expect(item.id).toMatch(/^[0-9a-f]{32}$/);
    expect(item.hash).toBe(eventHash(item));
    expect(item).not.toHaveProperty('errorCode');
  });

  it("records a guest's refused request with its status and code", async () => {
    writableLog();
    const { handler } = documentsArea('guest', async () => {
      throw new Forbidden('CANNOT_COMMENT', 'Your level does not allow comments here.');
    });
    const res = await handler(event(ADD_COMMENT, { id: DOC }));
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body!).error.code).toBe('CANNOT_COMMENT');
    expect(auditItem()).toMatchObject({ actorId: 'gina', operation: 'addComment', outcome: 'failure', status: 403, errorCode: 'CANNOT_COMMENT' });
  });

  it('records an unexpected failure as 500 INTERNAL, without its message', async () => {
    writableLog();
    const { handler } = documentsArea('guest', async () => {
      throw new Error(`boom ${SECRET_BODY}`);
    });
    const res = await handler(event(ADD_COMMENT, { id: DOC }));
    expect(res.statusCode).toBe(500);
    const item = auditItem();
    expect(item).toMatchObject({ status: 500, errorCode: 'INTERNAL' });
    expect(JSON.stringify(item)).not.toContain(SECRET_BODY);
  });

  it('records a request that fails validation', async () => {
    writableLog();
    const { handler } = documentsArea('guest', async () => ({ status: 201 }));
    const res = await handler(event(ADD_COMMENT, {})); // no id: the params schema refuses it
    expect(res.statusCode).toBe(400);
    expect(auditItem()).toMatchObject({ status: 400, errorCode: 'VALIDATION_FAILED', targets: {} });
  });

  it('never records the token, the body or the query string', async () => {
    writableLog();
    const { handler } = documentsArea('guest', async () => ({ status: 201 }));
    await handler(event(ADD_COMMENT, { id: DOC }));
    const stored = JSON.stringify(auditItem());
    for (const secret of [TOKEN, TOKEN.split('.')[2]!, SECRET_BODY, 'secret-cursor', 'ciphertext', 'authorization']) {
      expect(stored).not.toContain(secret);
    }
  });

  it('answers 503 when the audit cannot be written: audited or refused', async () => {
    mock.on(GetCommand).resolves({});
    mock.on(TransactWriteCommand).rejects(new ProvisionedThroughputExceededException({ $metadata: {}, message: 'slow down' }));
    const run = vi.fn(async () => ({ status: 200, body: { secret: 'document list' } }));
    const { handler } = documentsArea('guest', run);
    const res = await handler(event(ADD_COMMENT, { id: DOC }));
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body!).error.code).toBe('SERVICE_UNAVAILABLE');
    expect(res.body).not.toContain('document list');
  });

  it('answers 503 for a failed request too when its audit cannot be written', async () => {
    mock.on(GetCommand).resolves({});
    mock.on(TransactWriteCommand).rejects(new ProvisionedThroughputExceededException({ $metadata: {}, message: 'slow down' }));
    const { handler } = documentsArea('guest', async () => {
      throw new Forbidden('CANNOT_COMMENT', 'no');
    });
    expect((await handler(event(ADD_COMMENT, { id: DOC }))).statusCode).toBe(503);
  });

  it("records a member's request on an audited route as a user's", async () => {
    writableLog();
    const { handler } = documentsArea('member', async () => ({ status: 201 }));
    expect((await handler(event(ADD_COMMENT, { id: DOC }))).statusCode).toBe(201);
    expect(auditItem()).toMatchObject({ actorId: 'gina', actorKind: 'user', operation: 'addComment', outcome: 'success', status: 201 });
  });

  it("does not audit a member's request on a route without an audit category (a listing)", async () => {
    const never = operation({ async run() { throw new Error('not called'); } });
    const operations: Record<string, AnyOperation> = Object.fromEntries(ROUTES.filter((r) => r.area === 'documents').map((r) => [r.operation, never]));
    operations.listComments = operation({ params: z.object({ id: z.string() }), async run() { return { body: { comments: [] } }; } });
    const handler = areaHandler('documents', operations, async () => deps('member'));
    expect(ROUTES.find((r) => r.operation === 'listComments')!.audit).toBeUndefined();
    expect((await handler(event('GET /documents/{id}/comments', { id: DOC }))).statusCode).toBe(200);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('cuts over-long path parameters (they are attacker-chosen)', () => {
    const route = ROUTES.find((r) => r.operation === 'deleteComment')!;
    const base = requestBase(route, event('x', { id: 'a'.repeat(5000), commentId: 'c' }), { userId: 'gina', kind: 'guest' }, true);
    const audit = new AuditScope(base, () => NOW).event({ status: 404 });
    expect(audit.targets).toEqual({ id: 'a'.repeat(128), commentId: 'c' });
    expect(audit.resourceId).toBe('a'.repeat(128));
  });
});
