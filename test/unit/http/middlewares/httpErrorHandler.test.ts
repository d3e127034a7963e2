import { describe, expect, it, vi } from 'vitest';
import { Conflict, Forbidden, ServiceUnavailable } from '../../../../shared/core/errors/index.js';
import { SECURITY_HEADERS } from '../../../../shared/server/http/jsonResponse.js';
import { httpErrorHandler } from '../../../../shared/server/http/middlewares/httpErrorHandler.js';
import { areaRequest, httpEvent } from './areaRequest.js';

const SECRET = 'passphrase-correct-horse-battery-staple';
const INTERNAL = { error: { code: 'INTERNAL', message: 'Internal error: retry, and report the request id if it persists.' } };

function failed(error: unknown) {
  const req = areaRequest(httpEvent('POST /documents'));
  req.error = error;
  return req;
}

describe('httpErrorHandler', () => {
  it("answers a refusal with its status, code, message and details, and does not log it", async () => {
    // Prepare
    const logger = vi.fn();
    const req = failed(new Conflict('ALREADY_SHARED', 'Already shared with: u:bob.', { principalIds: ['u:bob'] }));
    // Act
    await httpErrorHandler({ logger }).onError!(req);
    // Assess
    expect(req.response).toEqual({
      statusCode: 409,
      headers: SECURITY_HEADERS,
      body: JSON.stringify({ error: { code: 'ALREADY_SHARED', message: 'Already shared with: u:bob.', details: { principalIds: ['u:bob'] } } }),
    });
    expect(logger).not.toHaveBeenCalled();
  });

  it('answers an unexpected error with a fixed 500 and logs its name only', async () => {
    // Prepare
    const logger = vi.fn();
    const req = failed(new TypeError(`boom with ${SECRET}`));
    // Act
    await httpErrorHandler({ logger }).onError!(req);
    // Assess
    expect(req.response!.statusCode).toBe(500);
    expect(JSON.parse(req.response!.body!)).toEqual(INTERNAL);
    expect(logger).toHaveBeenCalledWith({ routeKey: 'POST /documents', requestId: 'req-1', errorName: 'TypeError', code: undefined });
    expect(JSON.stringify([req.response, logger.mock.calls])).not.toContain(SECRET);
  });

  it('answers SERVICE_UNAVAILABLE as itself (503), and logs it with its code', async () => {
    // Prepare
    const logger = vi.fn();
    const req = failed(new ServiceUnavailable());
    // Act
    await httpErrorHandler({ logger }).onError!(req);
    // Assess
    expect([req.response!.statusCode, JSON.parse(req.response!.body!).error.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    expect(logger).toHaveBeenCalledWith(expect.objectContaining({ errorName: 'ServiceUnavailable', code: 'SERVICE_UNAVAILABLE' }));
  });

  it('answers without a logger, and names a thrown non-error by its type', async () => {
    // Prepare
    const logger = vi.fn();
    const quiet = failed(new Forbidden('NOT_OWNER', 'Only the owner can do this.'));
    const odd = failed('a string');
    // Act
    await httpErrorHandler().onError!(quiet);
    await httpErrorHandler({ logger }).onError!(odd);
    // Assess
    expect(quiet.response!.statusCode).toBe(403);
    expect(JSON.parse(odd.response!.body!)).toEqual(INTERNAL);
    expect(logger).toHaveBeenCalledWith(expect.objectContaining({ errorName: 'string', code: undefined }));
  });
});
