import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { s3Client } from '../../shared/server/config/clients.js';
import { CHUNK_SIZE, TEST_KDF } from '../../shared/core/crypto/index.js';
import { runCli } from '../helpers/cliRunner.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { pseudoRandomBytes as bytes } from '../helpers/pseudoRandomBytes.js';
import { rejection as failure } from '../helpers/rejection.js';
import { readAll } from '../helpers/streams.js';

/**
 * Downloading a given version (docs/versions.md, getVersion) against the real handlers on
 * DynamoDB Local and s3rver: the current key from the key path, then down the document's key
 * chain to the version's generation; the version in the stream AAD; ranges of old versions;
 * another version's object served in its place; and `coffer download --version N`.
 */

const MiB = CHUNK_SIZE;

let stack: LocalStack;
const clients: Record<string, CofferClient> = {};
const passphrase = (userId: string) => `${userId}-version-download-passphrase`;

beforeAll(async () => {
  stack = await startLocalStack();
  await Promise.all(
    ['vera', 'walt'].map(async (userId) => {
      const client = new CofferClient({ serverUrl: stack.url, pinStore: new MemoryKeyPinStore(), tuning: { allowWeakKdf: true } });
      await client.register({ userId, name: userId, passphrase: passphrase(userId), kdf: TEST_KDF });
      clients[userId] = client;
    }),
  );
});

afterAll(async () => {
  await stack?.stop();
});

const read = async (client: CofferClient, id: string, options: Parameters<CofferClient['download']>[1] = {}) => {
  const down = await client.download(id, options);
  return { down, bytes: Buffer.from(await readAll(down.stream)) };
};

async function objectOf(documentId: string, version: number): Promise<Uint8Array> {
  const out = await s3Client(stack.endpoints).send(new GetObjectCommand({ Bucket: stack.bucket, Key: `docs/${documentId}/v${version}` }));
  return out.Body!.transformToByteArray();
}

describe('download a given version', () => {
  it('reads every version, before and after a key rotation, down the key chain (owner and a viewer)', async () => {
    const { vera, walt } = clients as Record<string, CofferClient>;
    // Prepare: v1 and v2 under generation 1; a key-only rotation; v3 under generation 2.
    const v1 = bytes(2 * MiB + 11, 1);
    const v2 = bytes(MiB + 22, 2);
    const v3 = bytes(3 * MiB + 33, 3);
    const { documentId } = await vera!.upload(v1, { name: 'plan.txt', shareWith: ['walt'] });
    expect(await vera!.uploadVersion(documentId, v2)).toMatchObject({ version: 2, keyGeneration: 1 });
    const rotated = await vera!.rotate(documentId, { keyOnly: true });
    expect(rotated.keyGeneration).toBe(2);

    // Act / Assess: the current version (v2) is still under generation 1, one step down the chain.
    for (const reader of [vera!, walt!]) {
      const current = await read(reader, documentId);
      expect(current.down).toMatchObject({ version: 2, name: 'plan.txt', digestChecked: true });
      expect(current.bytes.equals(v2)).toBe(true);
    }
    expect(await vera!.uploadVersion(documentId, v3)).toMatchObject({ version: 3, keyGeneration: 2 });
    for (const reader of [vera!, walt!]) {
      for (const [version, content] of [[1, v1], [2, v2], [3, v3]] as const) {
        const got = await read(reader, documentId, { version });
        expect(got.down).toMatchObject({ version, size: content.length, digestChecked: true, name: 'plan.txt' });
        expect(got.bytes.equals(content), `${version}`).toBe(true);
      }
      expect((await read(reader, documentId)).bytes.equals(v3)).toBe(true);
    }
  });

  it('reads a range of an old version', async () => {
    // Prepare
    const { vera } = clients as Record<string, CofferClient>;
    const v1 = bytes(4 * MiB + 5, 4);
    const { documentId } = await vera!.upload(v1, { name: 'range.bin' });
    await vera!.uploadVersion(documentId, bytes(MiB, 5));
    await vera!.rotate(documentId, { keyOnly: true });

    // Act
    const got = await read(vera!, documentId, { version: 1, range: { start: MiB - 1, end: 3 * MiB + 1 } });

    // Assess
    expect(got.down).toMatchObject({ version: 1, length: 2 * MiB + 2, digestChecked: false });
    expect(got.bytes.equals(v1.subarray(MiB - 1, 3 * MiB + 1))).toBe(true);
  });

  it('refuses another version\'s object served as this version (the version is in the AAD)', async () => {
    // Prepare: v1's object replaced by v2's, which has the same size.
    const { vera } = clients as Record<string, CofferClient>;
    const { documentId } = await vera!.upload(bytes(MiB + 7, 6), { name: 'swap.bin' });
    await vera!.uploadVersion(documentId, bytes(MiB + 7, 7));
    await s3Client(stack.endpoints).send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: `docs/${documentId}/v1`, Body: await objectOf(documentId, 2) }),
    );

    // Act
    const full = await failure(read(vera!, documentId, { version: 1 }));
    const ranged = await failure(read(vera!, documentId, { version: 1, range: { start: 0, end: 10 } }));

    // Assess
    expect(['DECRYPTION_FAILED', 'INTEGRITY_MISMATCH']).toContain(full.code);
    expect(ranged.code).toBe('DECRYPTION_FAILED');
  });

  it('refuses a server that answers another version than the one asked for (the version asked for is in the AAD)', async () => {
    // Prepare: a client whose server answers GET .../versions/1 with version 2 (its object, size and digest).
    const { vera } = clients as Record<string, CofferClient>;
    const { documentId } = await vera!.upload(bytes(MiB + 9, 11), { name: 'lie.bin' });
    await vera!.uploadVersion(documentId, bytes(MiB + 9, 12));
    const lying = new CofferClient({
      serverUrl: stack.url,
      pinStore: new MemoryKeyPinStore(),
      tuning: { allowWeakKdf: true },
      fetch: (url, init) => fetch(url.replace(`/documents/${documentId}/versions/1`, `/documents/${documentId}/versions/2`), init),
    });
    await lying.login('vera', passphrase('vera'));

    // Act
    const error = await failure(read(lying, documentId, { version: 1 }));

    // Assess
    expect(error.code).toBe('DECRYPTION_FAILED');
  });

  it('answers an unknown version with VERSION_NOT_FOUND, and refuses a malformed one before any request', async () => {
    const { vera } = clients as Record<string, CofferClient>;
    const { documentId } = await vera!.upload(bytes(100, 8), { name: 'one.bin' });
    expect(await failure(vera!.download(documentId, { version: 7 }))).toMatchObject({ status: 404, code: 'VERSION_NOT_FOUND' });
    for (const version of [0, -1, 1.5, 2 ** 31]) {
      expect(await failure(vera!.download(documentId, { version }))).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });
});

/** The real CLI against this stack (test/helpers/cliRunner.ts). */
const cli = (home: string, args: string[], stdin?: string) => runCli(args, { home, serverUrl: stack.url, ...(stdin !== undefined ? { stdin } : {}) });

describe('coffer download --version', () => {
  it('saves the version asked for, and refuses a malformed one with exit 2', async () => {
    // Prepare
    const { vera } = clients as Record<string, CofferClient>;
    const v1 = bytes(MiB + 1, 9);
    const { documentId } = await vera!.upload(v1, { name: 'cli.bin' });
    await vera!.uploadVersion(documentId, bytes(2 * MiB, 10));
    const root = await mkdtemp(join(tmpdir(), 'coffer-version-it-'));
    const home = join(root, 'home');
    const login = await cli(home, ['--json', 'login', '--user', 'vera', '--passphrase-stdin'], `${passphrase('vera')}\n`);
    expect(login.code, login.stdout + login.stderr).toBe(0);

    // Act
    const run = await cli(home, ['--json', 'download', documentId, '--version', '1', '-o', join(root, 'v1.bin')]);
    const bad = await cli(home, ['--json', 'download', documentId, '--version', '0']);

    // Assess
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ version: 1, size: v1.length, digestChecked: true });
    expect((await readFile(join(root, 'v1.bin'))).equals(v1)).toBe(true);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error.message).toMatch(/a version is a positive whole number/);
  });
});
