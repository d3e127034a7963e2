import { describe, expect, it } from 'vitest';
import { ApiClient, type FetchLike } from '../../../client/sdk/ApiClient.js';
import { CofferApiError, ServerUnreachableError } from '../../../client/sdk/errors.js';
import { caught } from './support/clients.js';

function fixed(response: () => Response, seen: { url?: string; init?: RequestInit } = {}): FetchLike {
  return async (url, init) => {
    seen.url = url;
    seen.init = init;
    return response();
  };
}

const tokens = { accessToken: async () => 'tok', refreshAfterExpiry: async () => 'tok2' };

describe('ApiClient', () => {
  it('maps the error envelope to a CofferApiError with status, code, message and details', async () => {
    // Prepare
    const body = { error: { code: 'UNKNOWN_USERS', message: 'No such users: zed.', details: { userIds: ['zed'] } } };
    const api = new ApiClient({ baseUrl: 'http://x', fetch: fixed(() => Response.json(body, { status: 422 })), tokens });
    // Act
    const error = await caught(api.post('/documents', {}));
    // Assess
    expect(error).toBeInstanceOf(CofferApiError);
    expect(error).toMatchObject({ status: 422, code: 'UNKNOWN_USERS', message: 'No such users: zed.', details: { userIds: ['zed'] } });
  });

  it.each([
    [502, 'SERVER_ERROR', 'The server answered 502 Bad Gateway.'],
    [404, 'NOT_FOUND', 'Not found.'],
    [413, 'PAYLOAD_TOO_LARGE', 'The request is too large.'],
    [418, 'HTTP_ERROR', "The server answered 418 I'm a teapot."],
  ])('maps a %i without an envelope to %s', async (status, code, message) => {
    const statusText = { 502: 'Bad Gateway', 404: 'Not Found', 413: 'Payload Too Large', 418: "I'm a teapot" }[status];
    const api = new ApiClient({ baseUrl: 'http://x', fetch: fixed(() => new Response('<html>oops</html>', { status, statusText })), tokens });
    const error = await caught(api.get('/users/me'));
    expect(error).toBeInstanceOf(CofferApiError);
    expect(error).toMatchObject({ status, code, message });
  });

  it('turns a failed fetch into SERVER_UNREACHABLE naming the server', async () => {
    const api = new ApiClient({
      baseUrl: 'http://127.0.0.1:1/',
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
      tokens,
    });
    const error = await caught(api.get('/health', { auth: false }));
    expect(error).toBeInstanceOf(ServerUnreachableError);
    expect(error.code).toBe('SERVER_UNREACHABLE');
    expect(error.message).toBe('Cannot reach the Coffer server at http://127.0.0.1:1.');
  });

  it('rejects a 2xx body that is not JSON with BAD_RESPONSE', async () => {
    const api = new ApiClient({ baseUrl: 'http://x', fetch: fixed(() => new Response('hello', { status: 200 })), tokens });
    expect(await caught(api.get('/users/me'))).toMatchObject({ code: 'BAD_RESPONSE', status: 200 });
  });

  it('returns undefined for 204', async () => {
    const api = new ApiClient({ baseUrl: 'http://x', fetch: fixed(() => new Response(null, { status: 204 })), tokens });
    await expect(api.delete('/documents/abc')).resolves.toBeUndefined();
  });

  it('sends the bearer token, JSON body and query, and keeps a base path', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new ApiClient({ baseUrl: 'https://api.example/prod/', fetch: fixed(() => Response.json({ ok: 1 }), seen), tokens });
    await api.request('POST', '/documents', { body: { a: 1 }, query: { limit: 5, cursor: undefined } });
    expect(seen.url).toBe('https://api.example/prod/documents?limit=5');
    expect(seen.init?.headers).toMatchObject({ authorization: 'Bearer tok', 'content-type': 'application/json' });
    expect(seen.init?.body).toBe('{"a":1}');
  });

  it('sends no token on public routes', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new ApiClient({ baseUrl: 'http://x', fetch: fixed(() => Response.json({}), seen), tokens });
    await api.post('/auth/prelogin', { userId: 'a' }, { auth: false });
    expect(seen.init?.headers).not.toHaveProperty('authorization');
  });
});
