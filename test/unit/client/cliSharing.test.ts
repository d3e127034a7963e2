import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeError } from '../../../client/cli/describeError.js';
import { CofferApiError, KeyChangedError } from '../../../client/sdk/errors.js';
import { receivedCode } from '../../../shared/core/errors/index.js';
import { generateGroupKeyPair, toBase64Url } from '../../../shared/core/crypto/index.js';
import { bytes, registered, type TestUser } from './support/clients.js';
import { FakeCoffer } from './support/FakeCoffer.js';
import { CLI_SERVER, coffer } from './support/runCli.js';

const DAY = 86_400_000;

describe('coffer share, revoke, perms, role, transfer, settings (in-process, fake server)', () => {
  const server = new FakeCoffer();
  const homes: Record<string, string> = {};
  const users: Record<string, TestUser> = {};
  let groupId: string;

  /** The CLI as `userId`, logged in once (test accounts use the cheap KDF). */
  const as = (userId: string, args: string[]) => coffer(homes[userId]!, args);

  beforeAll(async () => {
    vi.stubGlobal('fetch', server.fetch);
    const root = await mkdtemp(join(tmpdir(), 'coffer-cli-sharing-'));
    for (const id of ['alice', 'bob', 'carol']) {
      users[id] = await registered(server, id);
      homes[id] = join(root, id);
      const login = await coffer(homes[id]!, ['--json', 'login', '--user', id, '--passphrase-stdin'], {
        stdin: `${users[id]!.passphrase}\n`,
        env: { COFFER_ALLOW_WEAK_KDF: '1' },
      });
      expect(login.code, login.stdout).toBe(0);
    }
    groupId = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
    await server.addGroup(groupId, toBase64Url((await generateGroupKeyPair()).publicKeySpki), ['carol']);
  });

  afterAll(() => {
    vi.unstubAllGlobals();
  });

  beforeEach(() => {
    server.clearInterceptors();
    server.calls.length = 0;
  });

  const upload = async (name: string, shareWith: string[] = []) => (await users.alice!.client.upload(bytes(10), { name, shareWith })).documentId;

  it('share --to mixes users and groups with positional users, at a level and with an expiry', async () => {
    // Prepare
    const id = await upload('mixed.txt');
    const before = Date.now();
    // Act
    const result = await as('alice', ['--json', 'share', id, 'bob', '--to', `carol,g:${groupId}`, '--role', 'editor', '--expires', '7d']);
    // Assess
    expect(result.code, result.stdout).toBe(0);
    expect(result.json).toMatchObject({ nodeId: id, sharedWith: ['u:bob', 'u:carol', `g:${groupId}`], alreadyShared: [], role: 'editor' });
    const sent = (server.callsTo('POST', `/nodes/${id}/share`)[0]!.body as { grants: { role: string; expiresAt: string }[] }).grants;
    expect(sent.every((g) => g.role === 'editor')).toBe(true);
    const expires = Date.parse(sent[0]!.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 7 * DAY);
    expect(expires).toBeLessThanOrEqual(Date.now() + 7 * DAY);
    expect(result.json.expiresAt).toBe(sent[0]!.expiresAt);
  });

  it('share says what it did and what it skipped, in words', async () => {
    const id = await upload('words.txt', ['bob']);
    const result = await as('alice', ['share', id, 'bob', 'carol']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `Shared ${id} with carol as viewer.\n` + `Already shared with bob: change a level with \`coffer role ${id} PRINCIPAL LEVEL\`.\n`,
    );
  });

  it('perms prints principal, kind, level, source and expiry, highest level first', async () => {
    const id = await upload('perms.txt');
    await as('alice', ['share', id, '--to', `g:${groupId}`, '--role', 'commenter']);
    await as('alice', ['share', id, 'bob', '--expires', '2w']);
    const expiresAt = server.docs.get(id)!.grants.get('u:bob')!.expiresAt!;
    const result = await as('alice', ['perms', id]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      `${id}: owned by alice`,
      `PRINCIPAL                 KIND   LEVEL      SOURCE  EXPIRES`,
      `alice                     user   owner      direct  -`,
      `g:${groupId}  group  commenter  direct  -`,
      `bob                       user   viewer     direct  ${expiresAt}`,
      '',
    ]);
    const asJson = await as('alice', ['--json', 'perms', id]);
    expect(asJson.json).toMatchObject({ nodeId: id, ownerId: 'alice', limited: false });
    expect(asJson.json.entries.map((e: { principalId: string }) => e.principalId)).toEqual(['u:alice', `g:${groupId}`, 'u:bob']);
  });

  it('role changes a level, sets or removes the expiry, and refuses bad input with exit 2', async () => {
    const id = await upload('role.txt', ['bob']);
    const set = await as('alice', ['--json', 'role', id, 'bob', 'commenter', '--expires', '2026-12-31T00:00:00Z']);
    expect(set.code, set.stdout).toBe(0);
    expect(set.json).toEqual({ nodeId: id, principalId: 'u:bob', role: 'commenter', expiresAt: '2026-12-31T00:00:00.000Z' });
    const kept = await as('alice', ['role', id, 'bob', 'editor']);
    expect(kept.stdout).toBe(`bob is now editor on ${id} until 2026-12-31T00:00:00.000Z.\n`);
    const cleared = await as('alice', ['role', id, 'bob', 'editor', '--no-expiry']);
    expect(cleared.stdout).toBe(`bob is now editor on ${id}, without expiry.\n`);

    const both = await as('alice', ['--json', 'role', id, 'bob', 'editor', '--expires', '1d', '--no-expiry']);
    expect([both.code, both.json.error]).toEqual([2, { code: 'USAGE', message: 'Use either --expires or --no-expiry, not both.' }]);
    const owner = await as('alice', ['--json', 'role', id, 'bob', 'owner']);
    expect(owner.code).toBe(2);
    expect(owner.json.error.message).toBe('Not a level: "owner". Use one of viewer, commenter, editor, manager (ownership moves with `coffer transfer`).');
    const badExpiry = await as('alice', ['--json', 'share', id, 'carol', '--expires', 'tomorrow']);
    expect(badExpiry.code).toBe(2);
    expect(badExpiry.json.error.code).toBe('USAGE');
    const badRole = await as('alice', ['--json', 'share', id, 'carol', '--role', 'owner']);
    expect(badRole.code).toBe(2);
    expect(server.callsTo('POST', `/nodes/${id}/share`)).toHaveLength(0);
  });

  it('explains the server refusals with their exit codes', async () => {
    const id = await upload('refusals.txt', ['bob']);
    const viewerShares = await as('bob', ['--json', 'share', id, 'carol']);
    expect([viewerShares.code, viewerShares.json.error.code]).toEqual([3, 'CANNOT_SHARE']);
    expect(viewerShares.json.error.message).toBe(
      'Your level does not let you share this (editors share only while the owner allows it): ask the owner or a manager.',
    );
    const viewerRevokes = await as('bob', ['--json', 'revoke', id, 'alice']);
    expect([viewerRevokes.code, viewerRevokes.json.error.code]).toEqual([3, 'CANNOT_MANAGE']);
    const notShared = await as('alice', ['--json', 'role', id, 'carol', 'viewer']);
    expect([notShared.code, notShared.json.error.code]).toEqual([7, 'NOT_SHARED']);
    const tooFar = await as('alice', ['--json', 'share', id, 'carol', '--expires', '400d']);
    expect(tooFar.json.error).toEqual({
      code: 'BAD_EXPIRY',
      message: 'An expiry must be in the future and at most a year ahead, e.g. --expires 7d or --expires 2026-12-31T00:00:00Z.',
    });
    expect(tooFar.code).toBe(2);
    const noKey = await as('alice', ['--json', 'transfer', id, 'carol']);
    expect(noKey.json.error).toEqual({
      code: 'NEW_OWNER_HAS_NO_KEY',
      message: 'The new owner must already hold the key: share it with them first (`coffer share ID USER`), then transfer.',
    });
    const unknownNode = await as('alice', ['--json', 'perms', 'AAAAAAAAAAAAAAAAAAAAAA']);
    expect([unknownNode.code, unknownNode.json.error]).toEqual([
      4,
      { code: 'NODE_NOT_FOUND', message: 'No such document or folder, or you have no access to it.' },
    ]);
  });

  it('revoke removes users and groups and names those without a direct grant', async () => {
    const id = await upload('revoke.txt', ['bob']);
    await as('alice', ['share', id, `g:${groupId}`]);
    const result = await as('alice', ['revoke', id, 'bob', `g:${groupId}`, 'carol']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `Revoked bob, g:${groupId} from ${id}.\n` +
        `Not shared directly with carol (see \`coffer perms ${id}\`: inherited access is revoked on its folder).\n` +
        'New key generation 2: versions uploaded from now on are unreadable to them.\n' +
        `Copies they already downloaded stay with them; \`coffer rotate ${id}\` also re-encrypts the latest version.\n` +
        'No share link was affected.\n',
    );
  });

  it('transfer hands ownership over; settings turns editor sharing off and on', async () => {
    const id = await upload('transfer.txt', ['bob']);
    const settings = await as('alice', ['--json', 'settings', id, '--editors-can-share', 'off']);
    expect(settings.json).toEqual({ nodeId: id, settings: { editorsCanShare: false } });
    const on = await as('alice', ['settings', id, '--editors-can-share', 'on']);
    expect(on.stdout).toBe(`Editors may share ${id}.\n`);
    const missing = await as('alice', ['--json', 'settings', id]);
    expect(missing.code).toBe(2);
    const transfer = await as('alice', ['transfer', id, 'bob']);
    expect(transfer.stdout).toBe(`bob now owns ${id}; you are manager.\n`);
    const notOwner = await as('alice', ['--json', 'settings', id, '--editors-can-share', 'off']);
    expect([notOwner.code, notOwner.json.error]).toEqual([3, { code: 'NOT_OWNER', message: 'Only the owner can change these settings. Ask the owner.' }]);
  });
});

describe('describeError for the sharing codes', () => {
  const ctx = { serverUrl: CLI_SERVER };
  const api = (status: number, code: string, details?: Record<string, unknown>) => new CofferApiError(status, receivedCode(code), `server says ${code}`, details);

  it.each([
    [api(403, 'LEVEL_TOO_HIGH'), 3, 'server says LEVEL_TOO_HIGH Grant a lower level, or ask the owner or a manager.'],
    [api(403, 'CANNOT_MANAGE'), 3, "Your level does not let you change or revoke others' access here: ask the owner or a manager."],
    [api(403, 'GUEST_FORBIDDEN'), 3, 'Guests cannot share, manage access, transfer ownership or change settings: ask a member with access.'],
    [api(409, 'ALREADY_SHARED', { principalIds: ['u:bob', 'g:G'] }), 7, 'Already shared with bob, g:G: change a level with `coffer role ID PRINCIPAL LEVEL`.'],
    [api(409, 'CONCURRENT_UPDATE'), 7, 'Someone changed this at the same moment, and retrying did not help: run the command again.'],
    [api(409, 'KEY_CHANGED'), 7, 'The key of this document or folder changed while you were sharing: run the command again.'],
    [api(422, 'GUEST_CANNOT_OWN'), 2, 'Guests cannot own documents or folders: transfer to a member.'],
    [api(422, 'UNKNOWN_PRINCIPALS'), 4, 'server says UNKNOWN_PRINCIPALS Check user ids with `coffer users ID...` and group ids with their admins.'],
  ])('%s exits %i', (error, exitCode, message) => {
    expect(describeError(error, ctx)).toMatchObject({ code: error.code, exitCode, message });
  });

  it('keeps a changed pinned key (client side) at exit 5 with its own message', () => {
    const error = new KeyChangedError('g:G', 'a'.repeat(64), 'b'.repeat(64));
    expect(describeError(error, ctx)).toMatchObject({ code: 'KEY_CHANGED', exitCode: 5, message: error.message });
  });
});
