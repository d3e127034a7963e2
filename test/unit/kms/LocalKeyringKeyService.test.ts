import { chmod, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contextAad, LocalKeyringKeyService } from '../../../shared/server/adapters/local/LocalKeyringKeyService.js';
import { ServiceUnavailable } from '../../../shared/core/errors/index.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('LocalKeyringKeyService', () => {
  let directory: string;
  let path: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'coffer-keyring-'));
    path = join(directory, 'nested', 'keyring.json');
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  describe('open', () => {
    it('creates the keyring with mode 0600 and well-formed keys on first use', async () => {
      // Act
      await LocalKeyringKeyService.open(path);

      // Assess
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
      expect(Object.keys(file).sort()).toEqual(['dataKey', 'macKey', 'signingKey', 'version']);
      expect(file.version).toBe(1);
      expect(Buffer.from(file.macKey!, 'base64')).toHaveLength(32);
      expect(Buffer.from(file.dataKey!, 'base64')).toHaveLength(32);
      expect(Buffer.from(file.signingKey!, 'base64').length).toBeGreaterThan(100); // PKCS#8 DER
    });

    it('reopens the same keys: same kid and public key, same MACs, old blobs still decrypt', async () => {
      // Prepare
      const first = await LocalKeyringKeyService.open(path);
      const blob = await first.encrypt(utf8('secret'), { userId: 'alice' });
      const mac = await first.mac(utf8('m'));

      // Act
      const second = await LocalKeyringKeyService.open(path);

      // Assess
      expect(second.signingKeyId()).toBe(first.signingKeyId());
      expect(await second.signingPublicKey()).toEqual(await first.signingPublicKey());
      expect(await second.mac(utf8('m'))).toEqual(mac);
      expect(await second.decrypt(blob, { userId: 'alice' })).toEqual(utf8('secret'));
      // The audit checkpoint key is derived from the keyring: the same after a reopen, so old checkpoints still verify.
      expect(await second.auditCheckpointPublicKey()).toEqual(await first.auditCheckpointPublicKey());
    });

    it('gives concurrent first openers the same keyring', async () => {
      const services = await Promise.all([1, 2, 3, 4].map(() => LocalKeyringKeyService.open(path)));
      const ids = new Set(services.map((service) => service.signingKeyId()));
      expect(ids.size).toBe(1);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
    });

    it.each([0o644, 0o640, 0o604, 0o660, 0o666])('refuses a keyring with mode 0%o and says how to fix it', async (mode) => {
      // Prepare
      await LocalKeyringKeyService.open(path);
      await chmod(path, mode);

      // Act
      const error = await LocalKeyringKeyService.open(path).then(
        () => undefined,
        (caught: unknown) => caught,
      );

      // Assess
      expect(error).toBeInstanceOf(ServiceUnavailable);
      expect((error as Error).message).toContain(`chmod 600 ${path}`);
    });

    it.each([0o400, 0o700])('accepts an owner-only keyring with mode 0%o', async (mode) => {
      const created = await LocalKeyringKeyService.open(path);
      await chmod(path, mode);
      expect((await LocalKeyringKeyService.open(path)).signingKeyId()).toBe(created.signingKeyId());
    });

    it('refuses a symlink to a keyring', async () => {
      await LocalKeyringKeyService.open(path);
      const link = join(directory, 'link.json');
      await symlink(path, link);
      await expect(LocalKeyringKeyService.open(link)).rejects.toBeInstanceOf(ServiceUnavailable);
    });

    it.each([
      ['not JSON', 'not json'],
      ['a missing key', JSON.stringify({ version: 1, signingKey: 'AA==', macKey: 'AA==' })],
      ['an unknown version', JSON.stringify({ version: 2, signingKey: 'AA==', macKey: 'AA==', dataKey: 'AA==' })],
      ['a short MAC key', JSON.stringify({ version: 1, signingKey: 'AA==', macKey: 'AAAA', dataKey: Buffer.alloc(32).toString('base64') })],
      ['a signing key that is not PKCS#8', JSON.stringify({ version: 1, signingKey: 'AAAA', macKey: Buffer.alloc(32).toString('base64'), dataKey: Buffer.alloc(32).toString('base64') })],
    ])('refuses a keyring with %s (and never overwrites it)', async (_label, content) => {
      await LocalKeyringKeyService.open(path); // creates the directory
      await writeFile(path, content, { mode: 0o600 });
      await expect(LocalKeyringKeyService.open(path)).rejects.toThrow(/not a valid Coffer keyring/);
      expect(await readFile(path, 'utf8')).toBe(content);
    });
  });

  describe('inMemory', () => {
    it('gives each instance its own keys', () => {
      expect(LocalKeyringKeyService.inMemory().signingKeyId()).not.toBe(LocalKeyringKeyService.inMemory().signingKeyId());
      expect(LocalKeyringKeyService.inMemory().signingKeyId()).toMatch(/^local-[0-9a-f]{32}$/);
    });
  });

  describe('blob format', () => {
    it('is version 0x01 || 12-byte nonce || ciphertext || 16-byte tag', async () => {
      const service = LocalKeyringKeyService.inMemory();
      const blob = await service.encrypt(utf8('12345'), {});
      expect(blob[0]).toBe(0x01);
      expect(blob.length).toBe(1 + 12 + 5 + 16);
    });

    it('refuses an unknown version byte even with a valid rest', async () => {
      const service = LocalKeyringKeyService.inMemory();
      const blob = await service.encrypt(utf8('x'), {});
      blob[0] = 0x02;
      await expect(service.decrypt(blob, {})).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    });
  });

  describe('contextAad', () => {
    it('is the canonical JSON of the pairs sorted by key, integer-like keys included', () => {
      expect(contextAad({ b: '2', a: '1', '10': 'x', '9': 'y' }).toString()).toBe('[["10","x"],["9","y"],["a","1"],["b","2"]]');
      expect(contextAad({}).toString()).toBe('[]');
    });

    it('cannot confuse a key/value boundary', () => {
      expect(contextAad({ a: 'b,c' }).equals(contextAad({ 'a","b': 'c' }))).toBe(false);
    });
  });
});
