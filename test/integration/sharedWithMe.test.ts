import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import type { DocumentEntry } from '../../client/sdk/listDocuments.js';
import { TEST_KDF } from '../../shared/core/crypto/index.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cliRunner.js';
import { api } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { pseudoRandomBytes as bytes } from '../helpers/pseudoRandomBytes.js';
import { readAll } from '../helpers/streams.js';

/**
 * "Shared with me" (GET /documents) against DynamoDB Local and s3rver: what reaches a user
 * through a group, through a group nested in another, and through a folder, each entry with its
 * sources; one entry per node however many ways it is reached; pages merged across principals;
 * and nothing of a group for a non-member or a member once removed.
 */

let stack: LocalStack;
const clients: Record<string, CofferClient> = {};
let outer: string, inner: string;
let viaOuter: string, both: string, folder: string, inFolder: string, inheritedHigher: string;

const entryOf = (list: DocumentEntry[], id: string) => list.find((d) => d.documentId === id);
async function listAll(client: CofferClient, pageSize?: number): Promise<DocumentEntry[]> {
  const all: DocumentEntry[] = [];
  for await (const d of client.listAll(pageSize)) all.push(d);
  return all;
}

beforeAll(async () => {
  stack = await startLocalStack();
  for (const userId of ['rhea', 'rob', 'ria', 'ray']) {
    const client = new CofferClient({ serverUrl: stack.url, pinStore: new MemoryKeyPinStore(), tuning: { allowWeakKdf: true } });
    await client.register({ userId, name: userId, passphrase: `${userId}-shared-with-me-passphrase`, kdf: TEST_KDF });
    clients[userId] = client;
  }
  const { rhea } = clients as Record<string, CofferClient>;
  // rob is in Finance team only through Payroll (nested); ria is in Finance team directly.
  outer = (await rhea!.createGroup('Finance team')).groupId;
  inner = (await rhea!.createGroup('Payroll')).groupId;
  await rhea!.addGroupMembers(inner, [{ userId: 'rob' }]);
  await rhea!.addGroupMembers(outer, [{ groupId: inner }, { userId: 'ria' }]);

  viaOuter = (await rhea!.upload(bytes(30_000, 1), { name: 'budget.xlsx' })).documentId;
  await rhea!.share(viaOuter, { groupIds: [outer] }, { role: 'commenter' });
  both = (await rhea!.upload(bytes(1000, 2), { name: 'both.txt' })).documentId;
  await rhea!.share(both, { userIds: ['rob'] });
  await rhea!.share(both, { groupIds: [inner] }, { role: 'editor' });
  folder = (await rhea!.createFolder('Reports')).folderId;
  await rhea!.share(folder, { groupIds: [inner] }, { role: 'editor' });
  inFolder = (await rhea!.upload(bytes(500, 3), { name: 'q3.pdf', parent: folder })).documentId;
  inheritedHigher = (await rhea!.upload(bytes(400, 4), { name: 'q4.pdf', parent: folder })).documentId;
  await rhea!.share(inheritedHigher, { userIds: ['rob'] }, { role: 'viewer' });
});

afterAll(async () => {
  await stack?.stop();
});

describe('shared with me', () => {
  it('lists what reaches a user through a nested group, with its source, and the key opens through the group', async () => {
    const { rob } = clients as Record<string, CofferClient>;
    const list = await listAll(rob!);
    expect(entryOf(list, viaOuter)).toMatchObject({
      name: 'budget.xlsx',
      role: 'commenter',
      sources: [{ kind: 'group', principalId: `g:${outer}`, groupId: outer, groupName: 'Finance team', role: 'commenter' }],
    });
    const down = await rob!.download(viaOuter);
    expect(Buffer.from(await readAll(down.stream)).equals(Buffer.from(bytes(30_000, 1)))).toBe(true);
  });

  it('gives a node reached several ways once, with its strongest level and every source', async () => {
    const { rob } = clients as Record<string, CofferClient>;
    const list = await listAll(rob!);
    expect(list.filter((d) => d.documentId === both)).toHaveLength(1);
    expect(entryOf(list, both)).toMatchObject({
      name: 'both.txt',
      role: 'editor',
      sources: [
        { kind: 'direct', principalId: 'u:rob', role: 'viewer' },
        { kind: 'group', principalId: `g:${inner}`, groupName: 'Payroll', role: 'editor' },
      ],
    });
  });

  it('lists a folder shared with a group, not its contents; a node also shared directly names the folder it inherits from', async () => {
    const { rob } = clients as Record<string, CofferClient>;
    const list = await listAll(rob!);
    expect(entryOf(list, folder)).toMatchObject({ kind: 'folder', name: 'Reports', sources: [{ kind: 'group', groupName: 'Payroll' }] });
    expect(entryOf(list, inFolder)).toBeUndefined();
    expect(entryOf(list, inheritedHigher)).toMatchObject({
      name: 'q4.pdf',
      role: 'editor',
      sources: [
        { kind: 'direct', principalId: 'u:rob', role: 'viewer' },
        { kind: 'folder', principalId: `g:${inner}`, folderId: folder, role: 'editor' },
      ],
    });
    expect((await rob!.listFolder(folder)).children.map((c) => c.nodeId).sort()).toEqual([inFolder, inheritedHigher].sort());
  });

  it('pages across principals: every node exactly once, whatever the page size', async () => {
    const { rob } = clients as Record<string, CofferClient>;
    const whole = (await listAll(rob!, 100)).map((d) => d.documentId).sort();
    expect(whole).toEqual([viaOuter, both, folder, inheritedHigher].sort());
    for (const size of [1, 2, 3]) {
      const paged = (await listAll(rob!, size)).map((d) => d.documentId);
      expect([...paged].sort()).toEqual(whole);
    }
  });

  it('refuses a cursor of another user, or a forged one, with 400', async () => {
    const { rob, ray } = clients as Record<string, CofferClient>;
    const page = await rob!.list({ limit: 1 });
    expect(page.cursor).toBeDefined();
    const token = (await ray!.session())!.accessToken;
    const stolen = await api(stack.url, 'GET', `/documents?limit=1&cursor=${page.cursor}`, { token });
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.code).toBe('VALIDATION_FAILED');
    const forged = Buffer.from(JSON.stringify({ u: 'ray', sk: 'MEMBER#x', p: 'u:rob' })).toString('base64url');
    expect((await api(stack.url, 'GET', `/documents?cursor=${forged}`, { token })).status).toBe(400);
  });

  it('coffer ls names the source of each entry; coffer group show lists what the group reaches, for members only', async () => {
    const root = await mkdtemp(join(tmpdir(), 'coffer-reach-'));
    const as = (userId: string) => (args: string[]) =>
      runCli(args, { home: join(root, userId), serverUrl: stack.url, env: { COFFER_PASSPHRASE: `${userId}-shared-with-me-passphrase` } });
    const [rob, ray] = [as('rob'), as('ray')];
    expect((await rob(['login', '--user', 'rob'])).code).toBe(0);
    expect((await ray(['login', '--user', 'ray'])).code).toBe(0);

    const ls = await rob(['ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/VIA/);
    const line = (id: string) => ls.stdout.split('\n').find((l) => l.startsWith(id)) ?? '';
    expect(line(viaOuter)).toMatch(/Finance team.*budget\.xlsx/);
    expect(line(both)).toMatch(/direct, Payroll.*both\.txt/);
    expect(line(inheritedHigher)).toMatch(/direct, folder Reports \(Payroll\).*q4\.pdf/);

    const show = await rob(['group', 'show', inner]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/Shared with this group/);
    expect(show.stdout).toMatch(new RegExp(`${folder}\\s+folder\\s+editor\\s+Reports`));
    expect(show.stdout).toMatch(new RegExp(`${both}\\s+document\\s+editor\\s+both\\.txt`));
    const json = await rob(['--json', 'group', 'show', outer]);
    expect(JSON.parse(json.stdout).reach).toEqual([{ nodeId: viaOuter, kind: 'document', role: 'commenter', name: 'budget.xlsx' }]);

    const outsider = await ray(['--json', 'group', 'show', inner]);
    expect(outsider.code).toBe(0);
    expect(JSON.parse(outsider.stdout).reach).toBeUndefined();
  });

  it('shows a non-member nothing of the groups, and a removed member loses them at once', async () => {
    const { rhea, ray, ria, rob } = clients as Record<string, CofferClient>;
    expect(await listAll(ray!)).toEqual([]);
    expect((await listAll(ria!)).map((d) => d.documentId)).toEqual([viaOuter]);

    await rhea!.removeGroupMembers(inner, [{ userId: 'rob' }]);
    const after = await listAll(rob!);
    expect(after.map((d) => d.documentId).sort()).toEqual([both, inheritedHigher].sort());
    expect(entryOf(after, both)).toMatchObject({ role: 'viewer', sources: [{ kind: 'direct', principalId: 'u:rob', role: 'viewer' }] });
    expect(entryOf(after, inheritedHigher)?.sources).toEqual([{ kind: 'direct', principalId: 'u:rob', role: 'viewer' }]);
  });
});
