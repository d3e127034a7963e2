import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_PRODUCTION_KDF, TEST_KDF, deriveUserKeys, generateUserKeyPair, newKdfParams, sealPrivateKey, toBase64Url } from '../../shared/core/crypto/index.js';
import { type Actor, register } from '../helpers/actors.js';
import { api } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

let stack: LocalStack;
let url: string;
let alice: Actor;
/** The handlers' clock: tests move it forward to expire tokens. */
let offsetMs = 0;

beforeAll(async () => {
  stack = await startLocalStack({ clock: () => Date.now() + offsetMs, settings: { allowWeakKdf: false } });
  url = stack.url;
  alice = await register(url, 'alice', MIN_PRODUCTION_KDF);
});
afterAll(() => stack?.stop());

function decodePayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
}

describe('register', () => {
  it('rejects KDF parameters below the production floor', async () => {
    const params = newKdfParams(TEST_KDF);
    const keys = await deriveUserKeys('another long passphrase', params);
    const pair = await generateUserKeyPair();
    const res = await api(url, 'POST', '/users', {
      body: {
        userId: 'weak',
        name: 'Weak',
        publicKey: toBase64Url(pair.publicKeySpki),
        encryptedPrivateKey: toBase64Url(await sealPrivateKey(pair.privateKeyPkcs8, keys.encryptionKey, 'weak')),
        kdf: params,
        authKey: toBase64Url(keys.authKey),
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toMatch(/Argon2id parameters are below the minimum/);
  });

  it('refuses a taken user id with USER_EXISTS and leaves the first account working', async () => {
    await expect(register(url, 'alice', MIN_PRODUCTION_KDF)).rejects.toThrow(/409.*USER_EXISTS/);
    const login = await api(url, 'POST', '/auth/token', { body: { userId: 'alice', authKey: alice.authKey } });
    expect(login.status).toBe(200);
  });

  it('rejects a public key that is not RSA-3072', async () => {
    const ec = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', ec.publicKey));
    const res = await api(url, 'POST', '/users', {
      body: {
        userId: 'eve',
        name: 'Eve',
        publicKey: toBase64Url(new Uint8Array([...spki, ...new Uint8Array(300 - spki.length > 0 ? 300 - spki.length : 0)])),
        encryptedPrivateKey: toBase64Url(new Uint8Array(64)),
        kdf: newKdfParams(MIN_PRODUCTION_KDF),
        authKey: toBase64Url(new Uint8Array(32)),
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/RSA public key of at least 3072 bits/);
  });

  it('answers malformed JSON, wrong media type and unknown fields with stable 4xx codes', async () => {
    const bad = await api(url, 'POST', '/users', { rawBody: '{"userId":', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual({ code: 'VALIDATION_FAILED', message: 'The request body is not valid JSON.' });
    const media = await api(url, 'POST', '/auth/token', { rawBody: 'userId=alice', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(media.status).toBe(415);
    expect(media.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const extra = await api(url, 'POST', '/auth/token', { body: { userId: 'alice', authKey: alice.authKey, password: 'x' } });
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('login', () => {
  it('answers a wrong passphrase with 401 INVALID_CREDENTIALS, not 500', async () => {
    const wrong = await deriveUserKeys('not the passphrase at all', (await api(url, 'POST', '/auth/prelogin', { body: { userId: 'alice' } })).body.kdf);
    const res = await api(url, 'POST', '/auth/token', { body: { userId: 'alice', authKey: toBase64Url(wrong.authKey) } });
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code: 'INVALID_CREDENTIALS', message: 'Unknown user or wrong passphrase.' });
  });

  it('answers an unknown user exactly like a wrong passphrase', async () => {
    const res = await api(url, 'POST', '/auth/token', { body: { userId: 'nobody', authKey: alice.authKey } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('gives unknown users stable fake KDF parameters (no enumeration through prelogin)', async () => {
    const a = await api(url, 'POST', '/auth/prelogin', { body: { userId: 'ghost' } });
    const b = await api(url, 'POST', '/auth/prelogin', { body: { userId: 'ghost' } });
    const real = await api(url, 'POST', '/auth/prelogin', { body: { userId: 'alice' } });
    expect(a.status).toBe(200);
    expect(a.body).toEqual(b.body);
    expect(Object.keys(a.body.kdf).sort()).toEqual(Object.keys(real.body.kdf).sort());
    expect(a.body.kdf.salt).not.toEqual(real.body.kdf.salt);
  });

  it('puts neither the passphrase nor the auth key in the access token', async () => {
    const payload = decodePayload(alice.accessToken);
    expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'kind', 'nbf', 'sub']);
    const raw = Buffer.from(alice.accessToken.split('.')[1]!, 'base64url').toString('utf8');
    expect(raw).not.toContain(alice.passphrase);
    expect(raw).not.toContain(alice.authKey);
    expect(payload.sub).toBe('alice');
  });

  it('returns the sealed private key, never a plaintext one', async () => {
    const res = await api(url, 'POST', '/auth/token', { body: { userId: 'alice', authKey: alice.authKey } });
    const sealed = Buffer.from(res.body.encryptedPrivateKey, 'base64url');
    expect(sealed[0]).toBe(1);
    // A PKCS#8 RSA key starts with a DER SEQUENCE (0x30 0x82): the sealed blob must not.
    expect(sealed.subarray(0, 2).toString('hex')).not.toBe('3082');
  });
});

describe('access tokens', () => {
  it('accepts a valid token on /users/me', async () => {
    const res = await api(url, 'GET', '/users/me', { token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.userId).toBe('alice');
    expect(res.body).not.toHaveProperty('verifier');
    expect(res.body).not.toHaveProperty('privateKeyBlob');
  });

  it('rejects a tampered payload (sub changed to another user) with 401 INVALID_TOKEN', async () => {
    const [h, p, s] = alice.accessToken.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8'));
    payload.sub = 'bob';
    const forged = [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
    const res = await api(url, 'GET', '/users/me', { token: forged });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('INVALID_TOKEN');
  });

  it('rejects a tampered signature and alg=none', async () => {
    const [h, p, s] = alice.accessToken.split('.');
    const flipped = Buffer.from(s!, 'base64url');
    flipped[10] = flipped[10]! ^ 1;
    expect((await api(url, 'GET', '/users/me', { token: [h, p, flipped.toString('base64url')].join('.') })).status).toBe(401);
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const res = await api(url, 'GET', '/users/me', { headers: { authorization: `Bearer ${none}.${p}.` } });
    expect(res.status).toBe(401);
  });

  it('rejects a missing or malformed Authorization header with 401 MISSING_TOKEN', async () => {
    expect((await api(url, 'GET', '/users/me')).body.error.code).toBe('MISSING_TOKEN');
    expect((await api(url, 'GET', '/users/me', { headers: { authorization: `Basic ${alice.accessToken}` } })).status).toBe(401);
  });

  it('rejects an expired token with 401 TOKEN_EXPIRED', async () => {
    offsetMs = 16 * 60 * 1000;
    try {
      const res = await api(url, 'GET', '/users/me', { token: alice.accessToken });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('TOKEN_EXPIRED');
    } finally {
      offsetMs = 0;
    }
  });
});

describe('refresh tokens', () => {
  async function login(): Promise<{ accessToken: string; refreshToken: string }> {
    return (await api(url, 'POST', '/auth/token', { body: { userId: 'alice', authKey: alice.authKey } })).body;
  }

  it('rotates on use: a new pair, and the old refresh token is spent', async () => {
    const first = await login();
    const second = await api(url, 'POST', '/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await api(url, 'GET', '/users/me', { token: second.body.accessToken })).status).toBe(200);
  });

  it('detects reuse: replaying a spent token revokes the whole family', async () => {
    const first = await login();
    const second = await api(url, 'POST', '/auth/refresh', { body: { refreshToken: first.refreshToken } });
    const replay = await api(url, 'POST', '/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    const thief = await api(url, 'POST', '/auth/refresh', { body: { refreshToken: second.body.refreshToken } });
    expect(thief.status).toBe(401);
    expect(thief.body.error.code).toBe('SESSION_REVOKED');
  });

  it('lets only one of two concurrent uses of the same token win', async () => {
    const first = await login();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => api(url, 'POST', '/auth/refresh', { body: { refreshToken: first.refreshToken } })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(4);
  });

  it('logout revokes the family; another user cannot log out my session', async () => {
    const session = await login();
    const bob = await register(url, 'bob', MIN_PRODUCTION_KDF);
    const foreign = await api(url, 'POST', '/auth/logout', { token: bob.accessToken, body: { refreshToken: session.refreshToken } });
    expect(foreign.status).toBe(401);
    const out = await api(url, 'POST', '/auth/logout', { token: session.accessToken, body: { refreshToken: session.refreshToken } });
    expect(out.status).toBe(204);
    const after = await api(url, 'POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('SESSION_REVOKED');
  });

  it('refuses an expired refresh token', async () => {
    const session = await login();
    offsetMs = 31 * 24 * 3600 * 1000;
    try {
      const res = await api(url, 'POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('INVALID_REFRESH_TOKEN');
    } finally {
      offsetMs = 0;
    }
  });

  it('refuses a malformed refresh token without touching the table', async () => {
    const res = await api(url, 'POST', '/auth/refresh', { body: { refreshToken: 'x'.repeat(43) } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('INVALID_REFRESH_TOKEN');
  });
});
