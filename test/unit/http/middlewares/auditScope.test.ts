import { describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../../../shared/core/api/auditEvent.js';
import type { Deps } from '../../../../shared/server/config/Deps.js';
import { Forbidden, ServiceUnavailable } from '../../../../shared/core/errors/index.js';
import type { Database } from '../../../../shared/server/data/Database.js';
import { auditScope } from '../../../../shared/server/http/middlewares/auditScope.js';
import { areaRequest, httpEvent, routeOf } from './areaRequest.js';

const NOW = Date.parse('2030-01-01T12:00:00.000Z');
const DOC = 'AAAAAAAAAAAAAAAAAAAAAA';
const db = { table: 'coffer' } as unknown as Database;
const deps = { db, clock: () => NOW } as unknown as Deps;

function setup(operationName: string, caller: { userId: string; kind: 'member' | 'guest' }, record = vi.fn(async (_db: Database, _event: AuditEvent) => undefined)) {
  const route = routeOf(operationName);
  const req = areaRequest(httpEvent(`${route.method} ${route.path}`, { pathParameters: { id: DOC } }), { route, deps, signedIn: true, caller });
  return { req, record, middleware: auditScope({ record }) };
}

describe('auditScope', () => {
  it("records a member's request on an audited route once its answer is known", async () => {
    // Prepare
    const { req, record, middleware } = setup('getDocument', { userId: 'alice', kind: 'member' });
    // Act
    middleware.before!(req);
    req.response = { statusCode: 200 };
    await middleware.after!(req);
    // Assess
    expect(record).toHaveBeenCalledTimes(1);
    expect(record).toHaveBeenCalledWith(db, expect.objectContaining({
      actorId: 'alice', actorKind: 'user', operation: 'getDocument', category: 'access', resourceKind: 'node', resourceId: DOC,
      targets: { id: DOC }, outcome: 'success', status: 200, at: '2030-01-01T12:00:00.000Z', requestId: 'req-1', sourceIp: '198.51.100.7',
    }));
  });

  it("leaves a member's request on a route without an audit category unrecorded", async () => {
    // Prepare
    const { req, record, middleware } = setup('listComments', { userId: 'alice', kind: 'member' });
    // Act
    middleware.before!(req);
    req.response = { statusCode: 200 };
    await middleware.after!(req);
    // Assess
    expect(req.context.coffer!.audit).toBeUndefined();
    expect(record).not.toHaveBeenCalled();
  });

  it("records every request of a guest, a listing too", async () => {
    // Prepare
    const { req, record, middleware } = setup('listComments', { userId: 'gina', kind: 'guest' });
    // Act
    middleware.before!(req);
    req.response = { statusCode: 200 };
    await middleware.after!(req);
    // Assess
    expect(record).toHaveBeenCalledWith(db, expect.objectContaining({ actorId: 'gina', actorKind: 'guest', category: 'access', outcome: 'success' }));
  });

  it('records a refused request with its status and code', async () => {
    // Prepare
    const { req, record, middleware } = setup('addComment', { userId: 'gina', kind: 'guest' });
    middleware.before!(req);
    req.error = new Forbidden('CANNOT_COMMENT', 'Your level does not allow comments here.');
    // Act
    await middleware.onError!(req);
    // Assess
    expect(record).toHaveBeenCalledWith(db, expect.objectContaining({ outcome: 'failure', status: 403, errorCode: 'CANNOT_COMMENT' }));
    expect(req.error).toMatchObject({ code: 'CANNOT_COMMENT' });
  });

  it('records an unexpected failure as 500 INTERNAL, without its message', async () => {
    // Prepare
    const { req, record, middleware } = setup('addComment', { userId: 'gina', kind: 'guest' });
    middleware.before!(req);
    req.error = new Error('boom: a secret');
    // Act
    await middleware.onError!(req);
    // Assess
    expect(record).toHaveBeenCalledWith(db, expect.objectContaining({ status: 500, errorCode: 'INTERNAL' }));
    expect(JSON.stringify(record.mock.calls)).not.toContain('a secret');
  });

  it('writes nothing more when the operation already recorded its event', async () => {
    // Prepare
    const { req, record, middleware } = setup('addComment', { userId: 'gina', kind: 'guest' });
    middleware.before!(req);
    req.context.coffer!.audit!.written = 'success';
    req.response = { statusCode: 201 };
    // Act
    await middleware.after!(req);
    // Assess
    expect(record).not.toHaveBeenCalled();
  });

  it('answers with the write error when a failure cannot be recorded', async () => {
    // Prepare
    const unavailable = new ServiceUnavailable();
    const { req, middleware } = setup('addComment', { userId: 'gina', kind: 'guest' }, vi.fn(async () => { throw unavailable; }));
    middleware.before!(req);
    req.error = new Forbidden('CANNOT_COMMENT', 'no');
    // Act
    await middleware.onError!(req);
    // Assess
    expect(req.error).toBe(unavailable);
  });

  it('does not record as a failure a success whose event could not be written', async () => {
    // Prepare
    const record = vi.fn(async () => { throw new ServiceUnavailable(); });
    const { req, middleware } = setup('getDocument', { userId: 'alice', kind: 'member' }, record);
    middleware.before!(req);
    req.response = { statusCode: 200 };
    // Act
    const error = await Promise.resolve(middleware.after!(req)).catch((e: unknown) => e);
    req.error = error;
    await middleware.onError!(req);
    // Assess
    expect(error).toBeInstanceOf(ServiceUnavailable);
    expect(record).toHaveBeenCalledTimes(1);
  });
});
