import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
