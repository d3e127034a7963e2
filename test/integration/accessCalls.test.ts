/**
 * The access check's DynamoDB calls (docs/permissions.md, "The access check"): counted with a
 * recorder on a separate document client, against data built through the API. Call counts
 * are behaviour; timings are not asserted here (see `npm run bench`, permissions).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAccess, resolveMany } from '../../shared/server/access/resolveAccess.js';
import type { Deps } from '../../shared/server/config/Deps.js';
import { generateUserKeyPair } from '../../shared/core/crypto/index.js';
import type { Caller } from '../../shared/server/http/Operation.js';
import {
  addGroupMembers,
  asRecipient,
  type BenchGroup,
  createGroup,
  type DynamoCallRecorder,
  folderChain,
  mapLimit,
  recordedDeps,
  roundTrips,
  shareFolderWith,
} from '../bench/permissionFixtures.js';
import { type Actor, register } from '../helpers/actors.js';
import { type DocumentHandle, type FolderHandle, uploadInto } from '../helpers/folders.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

const DEPTH = 20;
const GROUPS = 100;
const SIBLINGS = 100;

let stack: LocalStack;
let owner: Actor, member: Actor, direct: Actor;
let groups: BenchGroup[];
let chain: FolderHandle[];
let doc: DocumentHandle;
let counted: Deps;
let recorder: DynamoCallRecorder;

const callerOf = (actor: Actor): Caller => ({ userId: actor.userId, kind: 'member' });

/** Runs `work` with the recorder on; returns its result and the commands it sent. */
async function recorded<T>(work: () => Promise<T>): Promise<{ result: T; commands: string[]; rounds: number }> {
  recorder.clear();
  recorder.recording = true;
  try {
    const result = await work();
    return { result, commands: recorder.calls.map((c) => c.command), rounds: roundTrips(recorder.calls) };
  } finally {
    recorder.recording = false;
  }
}

beforeAll(async () => {
  stack = await startLocalStack();
  [owner, member, direct] = (await Promise.all(['owner', 'member', 'direct'].map((u) => register(stack.url, u)))) as [Actor, Actor, Actor];
  // Groups share one key pair: generating RSA-3072 takes most of a second each.
  const pair = await generateUserKeyPair();
  groups = [];
  for (let i = 0; i < GROUPS; i++) {
    const group = await createGroup(stack.url, owner, `team-${i}`, pair);
    await addGroupMembers(stack.url, owner, group, [asRecipient(member)]);
    groups.push(group);
  }
  chain = await folderChain(stack.url, owner, DEPTH, 'level');
  // The worst case: the level comes from the top folder, through the last of the caller's groups.
  await shareFolderWith(stack.url, owner, chain[0]!, groups.at(-1)!);
  await shareFolderWith(stack.url, owner, chain[0]!, asRecipient(direct));
  doc = await uploadInto(stack.url, owner, chain.at(-1)!, new TextEncoder().encode('deep'), 'deep.txt');
  ({ deps: counted, recorder } = recordedDeps(stack.deps, stack.endpoints));
}, 120_000);
afterAll(() => stack?.stop());

describe('resolveAccess', () => {
  it(`makes 2 DynamoDB calls at depth ${DEPTH} for a caller in ${GROUPS} groups whose level comes from the top folder through a group`, async () => {
    const { result, commands, rounds } = await recorded(() => resolveAccess(counted, callerOf(member), doc.documentId, { kind: 'document' }));

    expect(result.role).toBe('viewer');
    expect(result.principals.size).toBe(GROUPS + 1);
    expect(result.ancestors).toHaveLength(DEPTH);
    expect(commands).toEqual(['BatchGetItem', 'BatchGetItem']);
    expect(rounds).toBe(2);
  });

  it(`makes 2 DynamoDB calls at depth ${DEPTH} for a caller with a direct grant on the top folder and no groups`, async () => {
    const { result, commands } = await recorded(() => resolveAccess(counted, callerOf(direct), doc.documentId, { kind: 'document' }));

    expect(result.role).toBe('viewer');
    expect(result.principals.size).toBe(1);
    expect(commands).toEqual(['BatchGetItem', 'BatchGetItem']);
  });

  it('makes 1 DynamoDB call for a root node', async () => {
    const { result, commands } = await recorded(() => resolveAccess(counted, callerOf(owner), chain[0]!.folderId, { kind: 'folder' }));

    expect(result.role).toBe('owner');
    expect(commands).toEqual(['BatchGetItem']);
  });

  it('answers a caller without access after the same 2 calls, with the same 404', async () => {
    const { result, commands } = await recorded(() =>
      resolveAccess(counted, { userId: 'nobody-here', kind: 'member' }, doc.documentId, { kind: 'document' }).then(
        () => 'resolved',
        (error: { code?: string }) => error.code,
      ),
    );

    expect(result).toBe('DOCUMENT_NOT_FOUND');
    expect(commands).toEqual(['BatchGetItem', 'BatchGetItem']);
  });
});

describe('resolveMany', () => {
  it(`checks ${SIBLINGS} sibling documents at depth ${DEPTH} in 2 round trips`, async () => {
    const more = await mapLimit(Array.from({ length: SIBLINGS - 1 }, (_, i) => i), 4, (i) =>
      uploadInto(stack.url, owner, chain.at(-1)!, new TextEncoder().encode(`sibling ${i}`), `sibling-${i}.txt`),
    );
    const ids = [doc.documentId, ...more.map((d) => d.documentId)];

    const { result, commands, rounds } = await recorded(() => resolveMany(counted, callerOf(member), ids));

    expect(result.size).toBe(SIBLINGS);
    expect([...result.values()].every((a) => a.role === 'viewer')).toBe(true);
    // The metas (100 keys) and the principal set are two BatchGets sent together (100 keys per BatchGet), then the ancestors.
    expect(rounds).toBe(2);
    expect(commands).toEqual(['BatchGetItem', 'BatchGetItem', 'BatchGetItem']);
  }, 40_000);
});
