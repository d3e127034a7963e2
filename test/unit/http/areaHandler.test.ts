import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Deps } from '../../../shared/server/config/Deps.js';
import { areaHandler } from '../../../shared/server/http/areaHandler.js';
import { operation } from '../../../shared/server/http/Operation.js';

function event(routeKey: string, body?: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey,
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    requestContext: { requestId: 'req-1', http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' } },
    isBase64Encoded: false,
    ...(body !== undefined ? { body } : {}),
  } as unknown as APIGatewayProxyEventV2;
}

function fakeDeps(log: ReturnType<typeof vi.fn>): Deps {
  return { logger: { error: log }, tokens: { verify: vi.fn() } } as unknown as Deps;
}

const SECRET = 'passphrase-correct-horse-battery-staple';

describe('areaHandler', () => {
  it('answers an unexpected error with a fixed 500 and logs neither its message nor its stack', async () => {
    const log = vi.fn();
    const handler = areaHandler(
      'health',
      { health: operation({ async run() { throw new Error(`boom with ${SECRET}`); } }) },
      async () => fakeDeps(log),
    );
    const res = await handler(event('GET /health'));
    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body!)).toEqual({ error: { code: 'INTERNAL', message: 'Internal error: retry, and report the request id if it persists.' } });
    expect(res.body).not.toContain(SECRET);
    expect(JSON.stringify(log.mock.calls)).not.toContain(SECRET);
    expect(JSON.stringify(log.mock.calls)).not.toMatch(/at .*\.ts:\d+/);
    expect(log).toHaveBeenCalledWith('request failed', expect.objectContaining({ errorName: 'Error', requestId: 'req-1' }));
  });

  it('lists invalid fields without echoing the submitted values', async () => {
    const handler = areaHandler(
      'health',
      { health: operation({ body: z.strictObject({ passphrase: z.string().max(5) }), async run() { return {}; } }) },
      async () => fakeDeps(vi.fn()),
    );
    const res = await handler(event('GET /health', JSON.stringify({ passphrase: SECRET })));
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain(SECRET);
    expect(JSON.parse(res.body!).error.details.issues[0].path).toBe('body.passphrase');
  });

  it('refuses to build an area whose route has no implementation', () => {
    expect(() => areaHandler('documents', {}, async () => fakeDeps(vi.fn()))).toThrow(/no implementation for createDocument/);
  });

  it('rejects a body too large before parsing it', async () => {
    const handler = areaHandler(
      'health',
      { health: operation({ body: z.object({}), async run() { return {}; } }) },
      async () => fakeDeps(vi.fn()),
    );
    const res = await handler(event('GET /health', JSON.stringify({ x: 'a'.repeat(300 * 1024) })));
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(res.body!).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  describe('optional auth', () => {
    const seen: { caller: unknown; signedIn: boolean }[] = [];
    const stub = operation({ async run() { return {}; } });
    const linksArea = (verify: ReturnType<typeof vi.fn>) =>
      areaHandler(
        'links',
        {
          createLink: stub,
          listLinks: stub,
          revokeLink: stub,
          openLink: operation({
            async run({ caller, signedIn }) {
              seen.push({ caller, signedIn });
              return { body: { signedIn } };
            },
          }),
        },
        // openLink is audited: a table that takes the fallback event (this stub writes nothing itself).
        async () => ({ logger: { error: vi.fn() }, tokens: { verify }, db: { doc: { send: vi.fn().mockResolvedValue({}) }, table: 't' }, clock: () => 0 }) as unknown as Deps,
      );
    const JWT = 'aaaa.bbbb.cccc';

    it('runs anonymously without an Authorization header, and never verifies a token', async () => {
      seen.length = 0;
      const verify = vi.fn();
      const res = await linksArea(verify)(event('POST /links/open', '{}'));
      expect(res.statusCode).toBe(200);
      expect(seen).toEqual([{ caller: { userId: '', kind: 'member' }, signedIn: false }]);
      expect(verify).not.toHaveBeenCalled();
    });

    it('authenticates a valid bearer token: signedIn with the caller', async () => {
      seen.length = 0;
      const verify = vi.fn().mockResolvedValue({ sub: 'bob', kind: 'member' });
      const res = await linksArea(verify)(event('POST /links/open', '{}', { authorization: `Bearer ${JWT}` }));
      expect(res.statusCode).toBe(200);
      expect(verify).toHaveBeenCalledWith(JWT);
      expect(seen).toEqual([{ caller: { userId: 'bob', kind: 'member' }, signedIn: true }]);
    });

    it('answers 401 to a bad or malformed bearer token instead of running anonymously', async () => {
      seen.length = 0;
      const { Unauthorized } = await import('../../../shared/core/errors/index.js');
      const verify = vi.fn().mockRejectedValue(new Unauthorized('INVALID_TOKEN', 'bad'));
      const bad = await linksArea(verify)(event('POST /links/open', '{}', { authorization: `Bearer ${JWT}` }));
      expect([bad.statusCode, JSON.parse(bad.body!).error.code]).toEqual([401, 'INVALID_TOKEN']);
      const malformed = await linksArea(vi.fn())(event('POST /links/open', '{}', { authorization: 'Basic xyz' }));
      expect([malformed.statusCode, JSON.parse(malformed.body!).error.code]).toEqual([401, 'MISSING_TOKEN']);
      expect(seen).toEqual([]);
    });
  });
});
