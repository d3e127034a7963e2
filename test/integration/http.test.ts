import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/core/api/routes.js';
import { register } from '../helpers/actors.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

let stack: LocalStack;
const ALLOWED = 'https://app.example.test';

beforeAll(async () => {
  stack = await startLocalStack({ corsOrigins: [ALLOWED] });
});
afterAll(() => stack?.stop());

describe('local HTTP server', () => {
  it('answers GET /health', async () => {
    const res = await fetch(`${stack.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('listens on loopback only', () => {
    expect(new URL(stack.url).hostname).toBe('127.0.0.1');
  });

  it('sets security headers on every response', async () => {
    const res = await fetch(`${stack.url}/health`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('CORS', () => {
  it('allows a configured origin by name, never `*`, and never with credentials', async () => {
    const res = await fetch(`${stack.url}/documents`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization/);
  });

  it('gives an unknown origin no CORS headers at all', async () => {
    for (const method of ['OPTIONS', 'GET']) {
      const res = await fetch(`${stack.url}/health`, { method, headers: { origin: 'https://evil.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('never answers `*`, even to a request without an Origin', async () => {
    const res = await fetch(`${stack.url}/health`);
    expect(res.headers.get('access-control-allow-origin')).not.toBe('*');
  });
});

describe('bad requests from outside, before any route', () => {
  const withParameters = ROUTES.filter((r) => r.path.includes('{'));
  const malformed = ['%ZZ%', '%ED%A0%80', '%E0%A4%A'];

  it(`answers 400 VALIDATION_FAILED to a malformed percent-encoding in a path parameter, on all ${withParameters.length} routes that take one, with or without a token`, async () => {
    expect(withParameters.length).toBeGreaterThan(30);
    for (const route of withParameters) {
      for (const bad of malformed) {
        const path = route.path.replace(/\{[A-Za-z0-9_]+\}/g, bad);
        for (const headers of [{}, { authorization: 'Bearer not-a-token' }] as Record<string, string>[]) {
          const res = await fetch(`${stack.url}${path}`, { method: route.method, headers: { ...headers, 'content-type': 'application/json' }, ...(route.method === 'GET' ? {} : { body: '{}' }) });
          const label = `${route.method} ${path}`;
          expect(res.status, label).toBe(400);
          expect(await res.json(), label).toEqual({ error: { code: 'VALIDATION_FAILED', message: 'Invalid path: a path parameter is not valid percent-encoded UTF-8.' } });
        }
      }
    }
  });

  it('answers 431 with the usual JSON error to a request line over 16 KiB, and keeps serving', async () => {
    const res = await fetch(`${stack.url}/documents/${'A'.repeat(20_000)}`);
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ error: { code: 'REQUEST_TOO_LARGE', message: 'The request line and headers are too large (16 KiB at most).' } });
    expect((await fetch(`${stack.url}/health`)).status).toBe(200);
  });

  it('the Lambda handlers answer 400 VALIDATION_FAILED to whatever undecodable or odd path parameter API Gateway passes through', async () => {
    const alice = await register(stack.url, 'alice');
    for (const id of ['%ZZ%', '%ED%A0%80', '\uD800', 'A'.repeat(5000)]) {
      const res = await stack.handlers.documents({
        version: '2.0',
        routeKey: 'GET /documents/{id}',
        rawPath: '/documents/x',
        rawQueryString: '',
        headers: { authorization: `Bearer ${alice.accessToken}` },
        pathParameters: { id },
        requestContext: { requestId: 'req-bad-path', http: { method: 'GET', path: '/documents/x', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } },
        isBase64Encoded: false,
      } as unknown as Parameters<LocalStack['handlers']['documents']>[0]);
      expect(res.statusCode, id).toBe(400);
      expect(JSON.parse(res.body!).error.code, id).toBe('VALIDATION_FAILED');
    }
  });
});
