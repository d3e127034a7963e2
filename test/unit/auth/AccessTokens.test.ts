import { createHmac } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { LocalKeyringKeyService } from '../../../shared/server/adapters/local/LocalKeyringKeyService.js';
import { AccessTokens } from '../../../shared/server/auth/AccessTokens.js';
import { Unauthorized } from '../../../shared/core/errors/index.js';
import type { KeyService } from '../../../shared/server/ports/KeyService.js';
import { createFakeKms } from '../kms/fakeKms.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const b64url = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');
const segment = (value: unknown) => b64url(JSON.stringify(value));
const toPem = (der: Uint8Array) =>
  `-----BEGIN PUBLIC KEY-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----`;

function setup(options: { keys?: KeyService; now?: number } = {}) {
  const keys = options.keys ?? LocalKeyringKeyService.inMemory();
  const clock = { now: options.now ?? T0 };
  const tokens = new AccessTokens({ keys, clock: () => clock.now });
  return { keys, clock, tokens };
}

/** Signs arbitrary header and claims with the real key, to probe the verifier's claim checks. */
async function craft(keys: KeyService, header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  const input = `${segment(header)}.${segment(claims)}`;
  return `${input}.${b64url(await keys.sign(new TextEncoder().encode(input)))}`;
}

function validClaims(now = T0) {
  const iat = Math.floor(now / 1000);
  return { iss: 'coffer', aud: 'coffer-api', sub: 'alice', kind: 'member', iat, nbf: iat, exp: iat + 900, jti: 'AAAAAAAAAAAAAAAAAAAAAA' };
}

async function expectUnauthorized(promise: Promise<unknown>, code: 'INVALID_TOKEN' | 'TOKEN_EXPIRED') {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Unauthorized);
  expect(error).toMatchObject(
    code === 'INVALID_TOKEN'
      ? { code, message: 'The access token is not valid: log in again.' }
      : { code, message: 'The access token has expired: refresh it or log in again.' },
  );
}

describe('AccessTokens', () => {
  describe('issue', () => {
    it('issues an ES256 JWT with exactly the header {alg, typ, kid} and the listed claims', async () => {
      // Prepare
      const { keys, tokens } = setup();

      // Act
      const { token, expiresAt } = await tokens.issue({ sub: 'alice', kind: 'member' });

      // Assess
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: keys.signingKeyId() });
      const claims = decodeJwt(token);
      expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'kind', 'nbf', 'sub']);
      const iat = T0 / 1000;
      expect(claims).toMatchObject({ iss: 'coffer', aud: 'coffer-api', sub: 'alice', kind: 'member', iat, nbf: iat, exp: iat + 900 });
      expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(expiresAt).toEqual(new Date(T0 + 900_000));
    });

    it('signs through the port: an independent jose verification with the SPKI accepts the token', async () => {
      const { keys, tokens } = setup();
      const sign = vi.spyOn(keys, 'sign');
      const { token } = await tokens.issue({ sub: 'alice', kind: 'guest' });
      expect(sign).toHaveBeenCalledOnce();
      const key = await importSPKI(toPem(await keys.signingPublicKey()), 'ES256');
      const { payload } = await jwtVerify(token, key, { algorithms: ['ES256'], currentDate: new Date(T0) });
      expect(payload.kind).toBe('guest');
    });

    it('gives every token its own jti', async () => {
      const { tokens } = setup();
      const a = decodeJwt((await tokens.issue({ sub: 'alice', kind: 'member' })).token);
      const b = decodeJwt((await tokens.issue({ sub: 'alice', kind: 'member' })).token);
      expect(a.jti).not.toBe(b.jti);
    });

    it.each([
      ['an unknown kind', { sub: 'alice', kind: 'admin' }],
      ['an empty sub', { sub: '', kind: 'member' }],
      ['a sub with spaces', { sub: 'alice bob', kind: 'member' }],
    ])('refuses %s', async (_label, input) => {
      const { tokens } = setup();
      await expect(tokens.issue(input as { sub: string; kind: 'member' })).rejects.toThrow(TypeError);
    });
  });

  describe('verify', () => {
    it('returns sub, kind, jti and exp of a valid token', async () => {
      const { tokens } = setup();
      const { token } = await tokens.issue({ sub: 'alice', kind: 'member' });
      const claims = decodeJwt(token);
      expect(await tokens.verify(token)).toEqual({ sub: 'alice', kind: 'member', jti: claims.jti, exp: T0 / 1000 + 900 });
    });

    it('works end to end on the AWS adapter (KMS DER signatures converted)', async () => {
      const { tokens } = setup({ keys: createFakeKms().service });
      for (let i = 0; i < 20; i += 1) {
        const { token } = await tokens.issue({ sub: `user-${i}`, kind: 'member' });
        expect((await tokens.verify(token)).sub).toBe(`user-${i}`);
      }
    });

    it('fetches the public key once', async () => {
      const { keys, tokens } = setup();
      const fetchKey = vi.spyOn(keys, 'signingPublicKey');
      const { token } = await tokens.issue({ sub: 'alice', kind: 'member' });
      await Promise.all([tokens.verify(token), tokens.verify(token)]);
      await tokens.verify(token);
      expect(fetchKey).toHaveBeenCalledOnce();
    });

    describe('tampering', () => {
      it.each([
        ['kid', { kid: 'local-0000' }],
        ['typ', { typ: 'at+jwt' }],
        ['an extra crit', { crit: ['exp'] }],
      ])('rejects a header with a changed %s', async (_label, change) => {
        const { keys, tokens } = setup();
        const [, payload, signature] = (await tokens.issue({ sub: 'alice', kind: 'member' })).token.split('.');
        const header = segment({ alg: 'ES256', typ: 'JWT', kid: keys.signingKeyId(), ...change });
        await expectUnauthorized(tokens.verify(`${header}.${payload}.${signature}`), 'INVALID_TOKEN');
      });

      it.each([
        ['sub', { sub: 'admin' }],
        ['kind', { kind: 'guest' }],
        ['exp', { exp: T0 / 1000 + 99_999 }],
      ])('rejects a payload with a changed %s', async (_label, change) => {
        const { tokens } = setup();
        const [header, payload, signature] = (await tokens.issue({ sub: 'alice', kind: 'member' })).token.split('.');
        const changed = segment({ ...decodeJwt(`${header}.${payload}.${signature}`), ...change });
        await expectUnauthorized(tokens.verify(`${header}.${changed}.${signature}`), 'INVALID_TOKEN');
      });

      it('rejects a signature with one bit flipped, truncated or missing', async () => {
        const { tokens } = setup();
        const { token } = await tokens.issue({ sub: 'alice', kind: 'member' });
        const [header, payload, signature] = token.split('.') as [string, string, string];
        const raw = Buffer.from(signature, 'base64url');
        raw[10]! ^= 0x01;
        await expectUnauthorized(tokens.verify(`${header}.${payload}.${raw.toString('base64url')}`), 'INVALID_TOKEN');
        await expectUnauthorized(tokens.verify(`${header}.${payload}.${signature.slice(0, -2)}`), 'INVALID_TOKEN');
        await expectUnauthorized(tokens.verify(`${header}.${payload}.`), 'INVALID_TOKEN');
      });
    });

    describe('algorithm confusion', () => {
      it('rejects alg none', async () => {
        const { keys, tokens } = setup();
        const token = `${segment({ alg: 'none', typ: 'JWT', kid: keys.signingKeyId() })}.${segment(validClaims())}.`;
        await expectUnauthorized(tokens.verify(token), 'INVALID_TOKEN');
      });

      it.each(['der', 'pem'] as const)('rejects HS256 keyed with the public key (%s)', async (form) => {
        const { keys, tokens } = setup();
        const spki = await keys.signingPublicKey();
        const secret = form === 'der' ? Buffer.from(spki) : Buffer.from(toPem(spki));
        const input = `${segment({ alg: 'HS256', typ: 'JWT', kid: keys.signingKeyId() })}.${segment(validClaims())}`;
        const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
        await expectUnauthorized(tokens.verify(token), 'INVALID_TOKEN');
      });

      it('rejects ES384/ES512 headers over a valid ES256 signature', async () => {
        const { keys, tokens } = setup();
        const token = await craft(keys, { alg: 'ES384', typ: 'JWT', kid: keys.signingKeyId() }, validClaims());
        await expectUnauthorized(tokens.verify(token), 'INVALID_TOKEN');
      });
    });

    describe('issuer and audience', () => {
      it.each([
        ['issuer', { issuer: 'someone-else' }],
        ['audience', { audience: 'other-api' }],
      ])('rejects a token for another %s', async (_label, options) => {
        const keys = LocalKeyringKeyService.inMemory();
        const foreign = new AccessTokens({ keys, clock: () => T0, ...options });
        const { token } = await foreign.issue({ sub: 'alice', kind: 'member' });
        await expectUnauthorized(setup({ keys }).tokens.verify(token), 'INVALID_TOKEN');
      });
    });

    describe('lifetime', () => {
      it('accepts a token until it expires (within the 5 s clock tolerance)', async () => {
        const { clock, tokens } = setup();
        const { token } = await tokens.issue({ sub: 'alice', kind: 'member' });
        clock.now = T0 + 904_000;
        await expect(tokens.verify(token)).resolves.toMatchObject({ sub: 'alice' });
      });

      it('answers TOKEN_EXPIRED once it has expired', async () => {
        const { clock, tokens } = setup();
        const { token } = await tokens.issue({ sub: 'alice', kind: 'member' });
        clock.now = T0 + 906_000;
        await expectUnauthorized(tokens.verify(token), 'TOKEN_EXPIRED');
      });

      it('answers INVALID_TOKEN, not TOKEN_EXPIRED, for an expired token with a bad signature', async () => {
        const { clock, tokens } = setup();
        const { token } = await tokens.issue({ sub: 'alice', kind: 'member' });
        clock.now = T0 + 3_600_000;
        const forged = `${token.slice(0, token.lastIndexOf('.'))}.${b64url(new Uint8Array(64))}`;
        await expectUnauthorized(tokens.verify(forged), 'INVALID_TOKEN');
      });

      it('rejects a token that is not yet valid', async () => {
        const { keys, tokens } = setup();
        const future = new AccessTokens({ keys, clock: () => T0 + 60_000 });
        const { token } = await future.issue({ sub: 'alice', kind: 'member' });
        await expectUnauthorized(tokens.verify(token), 'INVALID_TOKEN');
      });

      it('rejects a genuine signature over a lifetime longer than the TTL', async () => {
        const { keys, tokens } = setup();
        const claims = validClaims();
        const token = await craft(keys, { alg: 'ES256', typ: 'JWT', kid: keys.signingKeyId() }, { ...claims, exp: claims.iat + 86_400 });
        await expectUnauthorized(tokens.verify(token), 'INVALID_TOKEN');
      });
    });

    describe('foreign keys and claims', () => {
      it('rejects a token signed by another keyring', async () => {
        const { token } = await setup().tokens.issue({ sub: 'alice', kind: 'member' });
        await expectUnauthorized(setup().tokens.verify(token), 'INVALID_TOKEN');
      });

      it('rejects a token signed by another key that claims our kid', async () => {
        const ours = LocalKeyringKeyService.inMemory();
        const theirs = LocalKeyringKeyService.inMemory();
        const token = await craft(theirs, { alg: 'ES256', typ: 'JWT', kid: ours.signingKeyId() }, validClaims());
        await expectUnauthorized(setup({ keys: ours }).tokens.verify(token), 'INVALID_TOKEN');
      });

      it('rejects a genuine signature under a header naming another kid', async () => {
        const { keys, tokens } = setup();
        const token = await craft(keys, { alg: 'ES256', typ: 'JWT', kid: 'retired-key' }, validClaims());
        await expectUnauthorized(tokens.verify(token), 'INVALID_TOKEN');
      });

      it.each([
        ['an extra claim', { ...validClaims(), admin: true }],
        ['an unknown kind', { ...validClaims(), kind: 'admin' }],
        ['a missing jti', (({ jti: _jti, ...rest }) => rest)(validClaims())],
        ['a missing kind', (({ kind: _kind, ...rest }) => rest)(validClaims())],
        ['a non-integer exp', { ...validClaims(), exp: T0 / 1000 + 900.5 }],
      ])('rejects a genuinely signed token with %s', async (_label, claims) => {
        const { keys, tokens } = setup();
        const token = await craft(keys, { alg: 'ES256', typ: 'JWT', kid: keys.signingKeyId() }, claims);
        await expectUnauthorized(tokens.verify(token), 'INVALID_TOKEN');
      });

      it('accepts a crafted token with the valid claims (the probes above differ only in the probed claim)', async () => {
        const { keys, tokens } = setup();
        const token = await craft(keys, { alg: 'ES256', typ: 'JWT', kid: keys.signingKeyId() }, validClaims());
        await expect(tokens.verify(token)).resolves.toMatchObject({ sub: 'alice', kind: 'member' });
      });
    });

    it.each([
      ['an empty string', ''],
      ['garbage', 'not-a-jwt'],
      ['three empty segments', '..'],
      ['an oversized token', 'a'.repeat(10_000)],
      ['a non-string', 42],
    ])('rejects %s', async (_label, token) => {
      const { tokens } = setup();
      await expectUnauthorized(tokens.verify(token as string), 'INVALID_TOKEN');
    });
  });
});
