import { describe, expect, it, vi } from 'vitest';
import { LocalKeyringKeyService } from '../../../shared/server/adapters/local/LocalKeyringKeyService.js';
import { computeLoginVerifier, fakeKdfSalt, verifyLogin } from '../../../shared/server/auth/loginVerifier.js';
import { Unauthorized } from '../../../shared/core/errors/index.js';

const authKey = (fill: number) => new Uint8Array(32).fill(fill);

async function expectInvalidCredentials(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Unauthorized);
  expect(error).toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'Unknown user or wrong passphrase.' });
}

describe('computeLoginVerifier', () => {
  it('is the MAC of "coffer/v1/login\\0" || userId || "\\0" || authKey', async () => {
    // Prepare
    const keys = LocalKeyringKeyService.inMemory();
    const key = authKey(7);
    const expected = await keys.mac(Uint8Array.from([...new TextEncoder().encode('coffer/v1/login\0alice\0'), ...key]));

    // Act
    const verifier = await computeLoginVerifier(keys, 'alice', key);

    // Assess
    expect(verifier).toEqual(expected);
    expect(verifier.length).toBe(32);
  });

  it('differs for another user with the same authKey', async () => {
    const keys = LocalKeyringKeyService.inMemory();
    expect(await computeLoginVerifier(keys, 'alice', authKey(1))).not.toEqual(await computeLoginVerifier(keys, 'bob', authKey(1)));
  });

  it('differs under another MAC key', async () => {
    const a = await computeLoginVerifier(LocalKeyringKeyService.inMemory(), 'alice', authKey(1));
    const b = await computeLoginVerifier(LocalKeyringKeyService.inMemory(), 'alice', authKey(1));
    expect(a).not.toEqual(b);
  });

  it.each([
    ['a short authKey', 'alice', new Uint8Array(31)],
    ['a long authKey', 'alice', new Uint8Array(33)],
    ['a user id with NUL', 'ali\0ce', authKey(1)],
    ['an empty user id', '', authKey(1)],
  ])('refuses %s', async (_label, userId, key) => {
    await expect(computeLoginVerifier(LocalKeyringKeyService.inMemory(), userId, key)).rejects.toThrow(TypeError);
  });
});

describe('verifyLogin', () => {
  it('resolves for the right authKey', async () => {
    const keys = LocalKeyringKeyService.inMemory();
    const stored = await computeLoginVerifier(keys, 'alice', authKey(1));
    await expect(verifyLogin(keys, 'alice', authKey(1), stored)).resolves.toBeUndefined();
  });

  it('answers INVALID_CREDENTIALS for a wrong authKey', async () => {
    const keys = LocalKeyringKeyService.inMemory();
    const stored = await computeLoginVerifier(keys, 'alice', authKey(1));
    const wrong = authKey(1);
    wrong[31] = 2;
    await expectInvalidCredentials(verifyLogin(keys, 'alice', wrong, stored));
  });

  it("answers INVALID_CREDENTIALS for another user's verifier with the same authKey", async () => {
    const keys = LocalKeyringKeyService.inMemory();
    const bobs = await computeLoginVerifier(keys, 'bob', authKey(1));
    await expectInvalidCredentials(verifyLogin(keys, 'alice', authKey(1), bobs));
  });

  it('answers INVALID_CREDENTIALS for an unknown user, after computing the MAC all the same', async () => {
    const keys = LocalKeyringKeyService.inMemory();
    const mac = vi.spyOn(keys, 'mac');
    await expectInvalidCredentials(verifyLogin(keys, 'nobody', authKey(1), undefined));
    expect(mac).toHaveBeenCalledOnce();
  });

  it.each([
    ['a short authKey', new Uint8Array(16), 32],
    ['a truncated stored verifier', authKey(1), 16],
  ])('answers INVALID_CREDENTIALS for %s', async (_label, key, storedLength) => {
    const keys = LocalKeyringKeyService.inMemory();
    const stored = (await computeLoginVerifier(keys, 'alice', authKey(1))).slice(0, storedLength);
    await expectInvalidCredentials(verifyLogin(keys, 'alice', key, stored));
  });
});

describe('fakeKdfSalt', () => {
  it('is the first 16 bytes of the MAC of "coffer/v1/prelogin\\0" || userId', async () => {
    const keys = LocalKeyringKeyService.inMemory();
    const mac = await keys.mac(new TextEncoder().encode('coffer/v1/prelogin\0ghost'));
    expect(await fakeKdfSalt(keys, 'ghost')).toEqual(mac.slice(0, 16));
  });

  it('is stable per user and differs between users and keyrings', async () => {
    const keys = LocalKeyringKeyService.inMemory();
    const salt = await fakeKdfSalt(keys, 'ghost');
    expect(salt.length).toBe(16);
    expect(await fakeKdfSalt(keys, 'ghost')).toEqual(salt);
    expect(await fakeKdfSalt(keys, 'ghost2')).not.toEqual(salt);
    expect(await fakeKdfSalt(LocalKeyringKeyService.inMemory(), 'ghost')).not.toEqual(salt);
  });
});
