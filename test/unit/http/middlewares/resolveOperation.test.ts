import { describe, expect, it, vi } from 'vitest';
import type { Deps } from '../../../../shared/server/config/Deps.js';
import { NotFound } from '../../../../shared/core/errors/index.js';
import { resolveOperation } from '../../../../shared/server/http/middlewares/resolveOperation.js';
import { operation } from '../../../../shared/server/http/Operation.js';
import { areaRequest, httpEvent } from './areaRequest.js';

const stub = operation({ async run() { return {}; } });
const links = { createLink: stub, listLinks: stub, revokeLink: stub, openLink: stub };
const DEPS = { table: 'wired' } as unknown as Deps;

describe('resolveOperation', () => {
  it('names the route, the operation and the wiring of a bearer route, to be authenticated', async () => {
    // Prepare
    const deps = vi.fn(async () => DEPS);
    const req = areaRequest(httpEvent('GET /nodes/{id}/links'));
    // Act
    await resolveOperation({ area: 'links', operations: links, deps }).before!(req);
    // Assess
    expect(req.context.coffer).toMatchObject({ route: { operation: 'listLinks', auth: 'bearer' }, operation: stub, deps: DEPS, signedIn: true, caller: { userId: '', kind: 'member' } });
  });

  it('authenticates an optional route only when a token is sent', async () => {
    // Prepare
    const middleware = resolveOperation({ area: 'links', operations: links, deps: async () => DEPS });
    const anonymous = areaRequest(httpEvent('POST /links/open'));
    const signed = areaRequest(httpEvent('POST /links/open', { headers: { Authorization: 'Bearer a.b.c' } }));
    // Act
    await middleware.before!(anonymous);
    await middleware.before!(signed);
    // Assess
    expect([anonymous.context.coffer!.signedIn, signed.context.coffer!.signedIn]).toEqual([false, true]);
  });

  it('refuses a route the area does not serve', async () => {
    // Prepare
    const req = areaRequest(httpEvent('GET /documents'));
    // Act
    const error = await resolveOperation({ area: 'links', operations: links, deps: async () => DEPS }).before!(req).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(NotFound);
    expect(error).toMatchObject({ code: 'ROUTE_NOT_FOUND', message: 'No such route.' });
  });

  it('does not wire a standalone operation (health answers with a backend down)', async () => {
    // Prepare
    const deps = vi.fn(async () => {
      throw new Error('backend down');
    });
    const req = areaRequest(httpEvent('GET /health'));
    // Act
    await resolveOperation({ area: 'health', operations: { health: operation({ standalone: true, async run() { return {}; } }) }, deps }).before!(req);
    // Assess
    expect(deps).not.toHaveBeenCalled();
    expect(req.context.coffer).toMatchObject({ route: { operation: 'health' }, signedIn: false });
  });

  it('refuses to build an area that lacks an operation of its routes', () => {
    // Act, Assess
    expect(() => resolveOperation({ area: 'links', operations: { createLink: stub }, deps: async () => DEPS })).toThrow('Area links has no implementation for listLinks');
  });
});
