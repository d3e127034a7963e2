import { describe, expect, it } from 'vitest';
import { LocalKeyringKeyService } from '../../../../shared/server/adapters/local/LocalKeyringKeyService.js';
import { AccessTokens } from '../../../../shared/server/auth/AccessTokens.js';
import type { Deps } from '../../../../shared/server/config/Deps.js';
import { Unauthorized } from '../../../../shared/core/errors/index.js';
import { authenticate } from '../../../../shared/server/http/middlewares/authenticate.js';
import { areaRequest, httpEvent, routeOf } from './areaRequest.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

function setup(now = T0) {
  const clock = { now };
  const tokens = new AccessTokens({ keys: LocalKeyringKeyService.inMemory(), clock: () => clock.now });
  const deps = { tokens } as unknown as Deps;
  const request = (headers: Record<string, string>, signedIn = true) =>
    areaRequest(httpEvent('GET /users/me', { headers }), { route: routeOf('me'), deps, signedIn });
  return { clock, tokens, request };
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (caught: unknown) => caught,
  );
}

describe('authenticate', () => {
  it('names the caller of a valid bearer token', async () => {
    // Prepare
    const { tokens, request } = setup();
    const { token } = await tokens.issue({ sub: 'alice', kind: 'guest' });
    const req = request({ Authorization: `Bearer ${token}` });
    // Act
    await authenticate().before!(req);
    // Assess
    expect(req.context.coffer!.caller).toEqual({ userId: 'alice', kind: 'guest' });
  });

  it('refuses an expired token', async () => {
    // Prepare
    const { clock, tokens, request } = setup();
    const { token } = await tokens.issue({ sub: 'alice', kind: 'member' });
    clock.now += 3600_000;
    const req = request({ authorization: `Bearer ${token}` });
    // Act
    const error = await refusal(authenticate().before!(req));
    // Assess
    expect(error).toBeInstanceOf(Unauthorized);
    expect(error).toMatchObject({ code: 'TOKEN_EXPIRED', message: 'The access token has expired: refresh it or log in again.' });
    expect(req.context.coffer!.caller).toEqual({ userId: '', kind: 'member' });
  });

  it('refuses a request without a token, or with a token in another scheme', async () => {
    // Prepare
    const { request } = setup();
    const cases: Record<string, string>[] = [{}, { authorization: 'Basic YWxpY2U6cHc=' }, { authorization: 'Bearer not-a-jws' }];
    for (const headers of cases) {
      // Act
      const error = await refusal(authenticate().before!(request(headers)));
      // Assess
      expect(error).toBeInstanceOf(Unauthorized);
      expect(error).toMatchObject({ code: 'MISSING_TOKEN', message: 'Send an access token: Authorization: Bearer <token>.' });
    }
  });

  it('refuses a token signed by another key', async () => {
    // Prepare
    const { request } = setup();
    const foreign = new AccessTokens({ keys: LocalKeyringKeyService.inMemory(), clock: () => T0 });
    const { token } = await foreign.issue({ sub: 'alice', kind: 'member' });
    // Act
    const error = await refusal(authenticate().before!(request({ authorization: `Bearer ${token}` })));
    // Assess
    expect(error).toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('leaves a request nobody signed in to anonymous, without reading its header', async () => {
    // Prepare
    const { request } = setup();
    const req = request({ authorization: 'Basic YWxpY2U6cHc=' }, false);
    // Act
    await authenticate().before!(req);
    // Assess
    expect(req.context.coffer!.caller).toEqual({ userId: '', kind: 'member' });
  });
});
