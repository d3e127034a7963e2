import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, jsonOf, runCli, succeeded } from '../helpers/cliRunner.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { pseudoRandomBytes as bytes } from '../helpers/pseudoRandomBytes.js';

/**
 * Versions and key rotation through the CLI (in-process, test/helpers/cliRunner.ts) against the real
 * handlers on DynamoDB Local and s3rver: update, versions, download --version, restore, revoke
 * (a new key generation) and rotate.
 */

let stack: LocalStack;
let root: string;
const as = (user: 'olga' | 'pete', args: string[]): Promise<CliResult> => runCli(args, { home: join(root, user), serverUrl: stack.url });

beforeAll(async () => {
  stack = await startLocalStack();
  root = await mkdtemp(join(tmpdir(), 'coffer-versions-cli-'));
  for (const user of ['olga', 'pete'] as const) succeeded(await as(user, ['--json', 'register', '--user', user]));
});

afterAll(async () => {
  await stack?.stop();
});

describe('coffer update, versions, restore, revoke, rotate', () => {
  it('keeps every version, restores an old one, and moves to a new key generation on revoke and rotate', async () => {
    const first = bytes(200_000, 1);
    const second = bytes(1_100_000, 2);
    await writeFile(join(root, 'one.bin'), first);
    await writeFile(join(root, 'two.bin'), second);
    const { documentId } = jsonOf(succeeded(await as('olga', ['--json', 'upload', join(root, 'one.bin'), '--name', 'budget.xlsx'])));
    succeeded(await as('olga', ['share', documentId, 'pete', '--role', 'editor']));

    // pete, an editor, uploads the next version
    const updated = jsonOf(succeeded(await as('pete', ['--json', 'update', documentId, join(root, 'two.bin')])));
    expect(updated).toMatchObject({ documentId, version: 2, keyGeneration: 1, size: second.length });

    const listed = jsonOf(succeeded(await as('olga', ['--json', 'versions', documentId])));
    expect(listed.versions.map((v: { version: number; createdBy: string; current: boolean }) => [v.version, v.createdBy, v.current])).toEqual([
      [2, 'pete', true],
      [1, 'olga', false],
    ]);
    // sizes as `ls` shows them: the plaintext's, the ciphertext's beside it
    expect(listed.versions.map((v: { size: number }) => v.size)).toEqual([second.length, first.length]);
    expect(listed.versions.every((v: { size: number; ciphertextSize: number }) => v.ciphertextSize > v.size)).toBe(true);
    const lsRow = jsonOf(succeeded(await as('olga', ['--json', 'ls']))).documents.find((d: { documentId: string }) => d.documentId === documentId);
    expect(lsRow.size).toBe(listed.versions[0].size);
    const table = succeeded(await as('olga', ['versions', documentId])).stdout;
    expect(table).toMatch(/^VERSION\s+SIZE\s+KEY GEN\s+BY\s+CREATED/);
    expect(table).toContain('2 (current)');

    succeeded(await as('olga', ['download', documentId, '--version', '1', '-o', join(root, 'v1.out')]));
    expect((await readFile(join(root, 'v1.out'))).equals(Buffer.from(first))).toBe(true);

    const restored = succeeded(await as('olga', ['restore', documentId, '1']));
    expect(restored.stdout).toBe(`Restored version 1 of ${documentId} as version 3.\n`);
    succeeded(await as('pete', ['download', documentId, '-o', join(root, 'current.out')]));
    expect((await readFile(join(root, 'current.out'))).equals(Buffer.from(first))).toBe(true);

    // a revoke starts a new key generation; rotate re-encrypts the latest content under the next one
    const revoked = succeeded(await as('olga', ['revoke', documentId, 'pete']));
    expect(revoked.stdout).toContain('New key generation 2: versions uploaded from now on are unreadable to them.');
    const rotated = jsonOf(succeeded(await as('olga', ['--json', 'rotate', documentId])));
    expect(rotated).toEqual({ documentId, keyGeneration: 3, staleLinks: 0, version: 4 });
    succeeded(await as('olga', ['download', documentId, '-o', join(root, 'rotated.out')]));
    expect((await readFile(join(root, 'rotated.out'))).equals(Buffer.from(first))).toBe(true);
    const keyOnly = succeeded(await as('olga', ['rotate', documentId, '--key-only']));
    expect(keyOnly.stdout).toContain(`${documentId} is now at key generation 4`);

    // pete is out: refused (exit 4), and his update is refused too
    expect((await as('pete', ['download', documentId, '-o', join(root, 'nope.out')])).code).toBe(4);
    expect((await as('pete', ['update', documentId, join(root, 'two.bin')])).code).toBe(4);
  }, 50_000);

  it('settings --keep-versions keeps the newest N versions; all keeps every one again', async () => {
    await writeFile(join(root, 'small.bin'), bytes(1000, 3));
    const { documentId } = jsonOf(succeeded(await as('olga', ['--json', 'upload', join(root, 'small.bin')])));
    const kept = succeeded(await as('olga', ['settings', documentId, '--keep-versions', '2']));
    expect(kept.stdout).toBe(`Editors may share ${documentId}.\n${documentId} keeps its newest 2 version(s).\n`);
    for (let i = 0; i < 3; i++) succeeded(await as('olga', ['update', documentId, join(root, 'small.bin')]));
    const listed = jsonOf(succeeded(await as('olga', ['--json', 'versions', documentId])));
    expect(listed.versions.map((v: { version: number }) => v.version)).toEqual([4, 3]);

    expect(jsonOf(succeeded(await as('olga', ['--json', 'settings', documentId, '--keep-versions', 'all'])))).toEqual({
      nodeId: documentId,
      settings: { editorsCanShare: true },
    });
    succeeded(await as('olga', ['update', documentId, join(root, 'small.bin')]));
    expect(jsonOf(succeeded(await as('olga', ['--json', 'versions', documentId]))).versions).toHaveLength(3);

    for (const bad of ['0', '1001', 'some']) expect((await as('olga', ['settings', documentId, '--keep-versions', bad])).code).toBe(2);
  }, 40_000);

  it('refuses a version that is not a positive whole number before contacting anyone', async () => {
    for (const bad of ['0', '-1', '1.5', 'two']) {
      const result = await as('olga', ['restore', 'AAAAAAAAAAAAAAAAAAAAAA', bad]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('a version is a positive whole number');
    }
  });
});
