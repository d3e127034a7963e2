import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../client/cli/io.js';
import { run } from '../../client/cli/program.js';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { decryptMetadata, encryptMetadata } from '../../shared/core/crypto/index.js';
import { keys, principal } from '../../shared/server/data/keys.js';
import type { Role } from '../../shared/core/permissions/levels.js';
import { commentField, commentIdTime, newCommentId } from '../../shared/core/api/schemas/comments.js';
import { type Actor, newDocumentId, register, upload, type UploadedDocument } from '../helpers/actors.js';
import { api } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

let stack: LocalStack;
let url: string;
let alice: Actor, bob: Actor, carol: Actor, dave: Actor, mallory: Actor;
const text = (s: string) => new TextEncoder().encode(s);

beforeAll(async () => {
  stack = await startLocalStack();
  url = stack.url;
  [alice, bob, carol, dave, mallory] = (await Promise.all(['alice', 'bob', 'carol', 'dave', 'mallory'].map((u) => register(url, u)))) as [
    Actor, Actor, Actor, Actor, Actor,
  ];
});
afterAll(() => stack?.stop());

/**
 * Sets a user's level on a document the way the registry holds it (the ACL entry on the
 * node and the grant item, in one transaction), so these tests depend only on the comments code.
 */
async function setRole(documentId: string, userId: string, role: Role): Promise<void> {
  const p = principal.user(userId);
  await stack.deps.db.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: stack.table,
            Key: keys.nodeMeta(documentId),
            UpdateExpression: 'SET acl.#p = :entry, rev = rev + :one',
            ConditionExpression: 'attribute_exists(acl.#p)',
            ExpressionAttributeNames: { '#p': p },
            ExpressionAttributeValues: { ':entry': { role }, ':one': 1 },
          },
        },
        {
          Update: {
            TableName: stack.table,
            Key: keys.grant(documentId, p),
            UpdateExpression: 'SET #role = :role',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#role': 'role' },
            ExpressionAttributeValues: { ':role': role },
          },
        },
      ],
    }),
  );
}

/** alice owns it; bob comments, carol views, dave manages; mallory has nothing. */
async function sharedDocument(): Promise<UploadedDocument> {
  const doc = await upload(url, alice, text('the contract'), 'contract.pdf', [bob, carol, dave]);
  await setRole(doc.documentId, 'bob', 'commenter');
  await setRole(doc.documentId, 'dave', 'manager');
  return doc;
}

/** What a client sends: a fresh ULID and the text encrypted under the document key, bound to both ids. */
async function commentBody(doc: UploadedDocument, plaintext: string, commentId = newCommentId(Date.now())) {
  return {
    commentId,
    ciphertext: await encryptMetadata(doc.dek, doc.documentId, commentField(commentId), plaintext),
    keyGeneration: 1,
  };
}

async function addComment(actor: Actor, doc: UploadedDocument, plaintext: string) {
  return api(url, 'POST', `/documents/${doc.documentId}/comments`, { token: actor.accessToken, body: await commentBody(doc, plaintext) });
}

async function listAll(actor: Actor, documentId: string, limit = 50) {
  const comments: { commentId: string; authorId: string; ciphertext: string; createdAt: string }[] = [];
  let cursor: string | undefined;
  do {
    const res = await api(url, 'GET', `/documents/${documentId}/comments?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token: actor.accessToken });
    expect(res.status).toBe(200);
    comments.push(...res.body.comments);
    cursor = res.body.cursor;
  } while (cursor);
  return comments;
}

async function partition(documentId: string) {
  const out = await stack.deps.db.doc.send(
    new QueryCommand({ TableName: stack.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `NODE#${documentId}` } }),
  );
  return out.Items ?? [];
}

describe('comment ids', () => {
  it('are ULIDs: 10 characters of time, 16 random, Crockford base32 (the ULID spec vector)', () => {
    expect(newCommentId(1469918176385, new Uint8Array(10))).toBe('01ARYZ6S410000000000000000');
    expect(commentIdTime('01ARYZ6S41TSV4RRFFQ69G5FAV')).toBe(1469918176385);
    expect(newCommentId(2 ** 48 - 1, new Uint8Array(10).fill(255))).toBe('7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
    const a = newCommentId(Date.now());
    const b = newCommentId(Date.now() + 1);
    expect(a < b).toBe(true);
    expect(a.slice(10)).not.toBe(newCommentId(Date.now()).slice(10));
  });
});

describe('adding comments', () => {
  it('lets the owner and a commenter comment, and answers with the stored comment', async () => {
    const doc = await sharedDocument();
    const byOwner = await addComment(alice, doc, 'Please check clause 4.');
    const byCommenter = await addComment(bob, doc, 'Clause 4 looks fine.');
    expect([byOwner.status, byCommenter.status]).toEqual([201, 201]);
    expect(byCommenter.body).toEqual({
      commentId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      documentId: doc.documentId,
      authorId: 'bob',
      createdAt: expect.any(String),
      keyGeneration: 1,
      ciphertext: expect.any(String),
    });
    expect(Math.abs(Date.parse(byCommenter.body.createdAt) - Date.now())).toBeLessThan(60_000);
  });

  it('refuses a viewer with 403 CANNOT_COMMENT, and a stranger and an unknown document with the same 404', async () => {
    const doc = await sharedDocument();
    const viewer = await addComment(carol, doc, 'I only view');
    expect(viewer.status).toBe(403);
    expect(viewer.body.error.code).toBe('CANNOT_COMMENT');
    const stranger = await addComment(mallory, doc, 'let me in');
    const unknown = await api(url, 'POST', `/documents/${newDocumentId()}/comments`, { token: mallory.accessToken, body: await commentBody(doc, 'x') });
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe('DOCUMENT_NOT_FOUND');
    expect(stranger.body).toEqual(unknown.body);
    expect(await listAll(alice, doc.documentId)).toEqual([]);
  });

  it('refuses malformed comment ids (400) and ids whose time is more than 5 minutes off (422 BAD_COMMENT_ID)', async () => {
    const doc = await sharedDocument();
    const post = (body: unknown) => api(url, 'POST', `/documents/${doc.documentId}/comments`, { token: alice.accessToken, body });
    const good = await commentBody(doc, 'x');
    for (const commentId of [good.commentId.toLowerCase(), good.commentId.slice(1), `${good.commentId}0`, `U${good.commentId.slice(1)}`, `8${good.commentId.slice(1)}`]) {
      const res = await post({ ...good, commentId });
      expect(res.status, commentId).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    for (const skew of [-6 * 60_000, 6 * 60_000, -365 * 24 * 3600_000]) {
      const res = await post(await commentBody(doc, 'x', newCommentId(Date.now() + skew)));
      expect(res.status, String(skew)).toBe(422);
      expect(res.body.error.code).toBe('BAD_COMMENT_ID');
    }
    expect((await post(await commentBody(doc, 'x', newCommentId(Date.now() - 4 * 60_000)))).status).toBe(201);
  });

  it('refuses a reused comment id (409 COMMENT_EXISTS) and keeps the first comment', async () => {
    const doc = await sharedDocument();
    const first = await commentBody(doc, 'first');
    expect((await api(url, 'POST', `/documents/${doc.documentId}/comments`, { token: alice.accessToken, body: first })).status).toBe(201);
    const again = await api(url, 'POST', `/documents/${doc.documentId}/comments`, {
      token: bob.accessToken,
      body: await commentBody(doc, 'overwrite', first.commentId),
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('COMMENT_EXISTS');
    const [stored] = await listAll(alice, doc.documentId);
    expect(stored).toMatchObject({ commentId: first.commentId, authorId: 'alice' });
    expect(await decryptMetadata(doc.dek, doc.documentId, commentField(first.commentId), stored!.ciphertext)).toBe('first');
  });

  it('refuses a comment encrypted under another key generation with 409 DOCUMENT_CHANGED', async () => {
    const doc = await sharedDocument();
    const res = await api(url, 'POST', `/documents/${doc.documentId}/comments`, {
      token: alice.accessToken,
      body: { ...(await commentBody(doc, 'x')), keyGeneration: 2 },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('DOCUMENT_CHANGED');
  });

  it('accepts 16 KiB of text and refuses more with 400', async () => {
    const doc = await sharedDocument();
    const body = await commentBody(doc, 'x'.repeat(16 * 1024));
    expect((await api(url, 'POST', `/documents/${doc.documentId}/comments`, { token: alice.accessToken, body })).status).toBe(201);
    const tooLong = await api(url, 'POST', `/documents/${doc.documentId}/comments`, {
      token: alice.accessToken,
      body: await commentBody(doc, 'x'.repeat(16 * 1024 + 1)),
    });
    expect(tooLong.status).toBe(400);
  });
});

describe('listing comments', () => {
  it('lets a viewer read every comment, oldest first, and decrypt it with the document key', async () => {
    const doc = await sharedDocument();
    const said = ['one', 'two', 'three', 'four', 'five'];
    for (const [i, s] of said.entries()) expect((await addComment(i % 2 ? bob : alice, doc, s)).status).toBe(201);
    const comments = await listAll(carol, doc.documentId, 2);
    expect(comments).toHaveLength(5);
    expect(comments.map((c) => c.authorId)).toEqual(['alice', 'bob', 'alice', 'bob', 'alice']);
    expect(comments.map((c) => c.commentId)).toEqual([...comments.map((c) => c.commentId)].sort());
    const texts = await Promise.all(comments.map((c) => decryptMetadata(doc.dek, doc.documentId, commentField(c.commentId), c.ciphertext)));
    expect(texts).toEqual(said);
  });

  it('refuses a stranger with 404 and a forged cursor with 400', async () => {
    const doc = await sharedDocument();
    expect((await api(url, 'GET', `/documents/${doc.documentId}/comments`, { token: mallory.accessToken })).status).toBe(404);
    const forged = Buffer.from('GRANT#u:alice').toString('base64url');
    const res = await api(url, 'GET', `/documents/${doc.documentId}/comments?cursor=${forged}`, { token: carol.accessToken });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('stores ciphertext only: the comment text appears nowhere in the table', async () => {
    const doc = await sharedDocument();
    const secret = `merger-with-initech-${Math.random().toString(36).slice(2)}`;
    const added = await addComment(bob, doc, secret);
    expect(added.status).toBe(201);
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await stack.deps.db.doc.send(new ScanCommand({ TableName: stack.table, ExclusiveStartKey: startKey }));
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    const dump = JSON.stringify(items);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(Buffer.from(secret).toString('base64'));
    const stored = items.find((i) => i.pk === `NODE#${doc.documentId}` && i.sk === `COMMENT#${added.body.commentId}`);
    expect(stored).toMatchObject({ authorId: 'bob', keyGeneration: 1, ciphertext: added.body.ciphertext, createdAt: added.body.createdAt });
  });
});

describe('deleting comments', () => {
  it('lets the author delete their own comment', async () => {
    const doc = await sharedDocument();
    const mine = await addComment(bob, doc, 'mine');
    const res = await api(url, 'DELETE', `/documents/${doc.documentId}/comments/${mine.body.commentId}`, { token: bob.accessToken });
    expect(res.status).toBe(204);
    expect(await listAll(alice, doc.documentId)).toEqual([]);
  });

  it("refuses someone else's comment with 403 NOT_COMMENT_AUTHOR, to a commenter and to a viewer", async () => {
    const doc = await sharedDocument();
    const owners = await addComment(alice, doc, 'owner says');
    for (const actor of [bob, carol]) {
      const res = await api(url, 'DELETE', `/documents/${doc.documentId}/comments/${owners.body.commentId}`, { token: actor.accessToken });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('NOT_COMMENT_AUTHOR');
    }
    expect(await listAll(alice, doc.documentId)).toHaveLength(1);
  });

  it('lets a manager and the owner delete anyone’s comment', async () => {
    const doc = await sharedDocument();
    const a = await addComment(bob, doc, 'a');
    const b = await addComment(alice, doc, 'b');
    expect((await api(url, 'DELETE', `/documents/${doc.documentId}/comments/${a.body.commentId}`, { token: dave.accessToken })).status).toBe(204);
    const c = await addComment(dave, doc, 'c');
    expect((await api(url, 'DELETE', `/documents/${doc.documentId}/comments/${c.body.commentId}`, { token: alice.accessToken })).status).toBe(204);
    expect((await listAll(alice, doc.documentId)).map((x) => x.commentId)).toEqual([b.body.commentId]);
  });

  it('refuses an author demoted to viewer with 403 CANNOT_COMMENT', async () => {
    const doc = await sharedDocument();
    const mine = await addComment(bob, doc, 'before demotion');
    await setRole(doc.documentId, 'bob', 'viewer');
    const res = await api(url, 'DELETE', `/documents/${doc.documentId}/comments/${mine.body.commentId}`, { token: bob.accessToken });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CANNOT_COMMENT');
  });

  it('answers 404 COMMENT_NOT_FOUND for an unknown comment, and DOCUMENT_NOT_FOUND to a stranger', async () => {
    const doc = await sharedDocument();
    const unknown = await api(url, 'DELETE', `/documents/${doc.documentId}/comments/${newCommentId(Date.now())}`, { token: alice.accessToken });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('COMMENT_NOT_FOUND');
    const real = await addComment(alice, doc, 'x');
    const stranger = await api(url, 'DELETE', `/documents/${doc.documentId}/comments/${real.body.commentId}`, { token: mallory.accessToken });
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe('DOCUMENT_NOT_FOUND');
  });

  it('removes the comments with the document', async () => {
    const doc = await sharedDocument();
    for (const s of ['a', 'b', 'c']) expect((await addComment(bob, doc, s)).status).toBe(201);
    expect((await partition(doc.documentId)).filter((i) => String(i.sk).startsWith('COMMENT#'))).toHaveLength(3);
    expect((await api(url, 'DELETE', `/documents/${doc.documentId}`, { token: alice.accessToken })).status).toBe(204);
    expect(await partition(doc.documentId)).toEqual([]);
    const after = await api(url, 'GET', `/documents/${doc.documentId}/comments`, { token: alice.accessToken });
    expect(after.status).toBe(404);
  });
});

describe('the SDK', () => {
  async function clientFor(actor: Actor): Promise<CofferClient> {
    const client = new CofferClient({ serverUrl: url, tuning: { allowWeakKdf: true } });
    await client.login(actor.userId, actor.passphrase);
    return client;
  }

  it('adds, lists (decrypted) and deletes comments', async () => {
    const doc = await sharedDocument();
    const [asBob, asCarol, asDave] = await Promise.all([clientFor(bob), clientFor(carol), clientFor(dave)]);
    const first = await asBob.addComment(doc.documentId, 'Looks good to me ✓');
    const second = await asDave.addComment(doc.documentId, 'Line two\nwith a break');
    expect(first).toMatchObject({ documentId: doc.documentId, authorId: 'bob', text: 'Looks good to me ✓' });
    const listed = await asCarol.listComments(doc.documentId);
    expect(listed.map((c) => [c.commentId, c.authorId, c.text])).toEqual([
      [first.commentId, 'bob', 'Looks good to me ✓'],
      [second.commentId, 'dave', 'Line two\nwith a break'],
    ]);
    const page1 = await asCarol.listCommentsPage(doc.documentId, { limit: 1 });
    expect(page1.comments.map((c) => c.text)).toEqual(['Looks good to me ✓']);
    const page2 = await asCarol.listCommentsPage(doc.documentId, { limit: 1, cursor: page1.cursor! });
    expect(page2.comments.map((c) => c.text)).toEqual(['Line two\nwith a break']);
    await expect(asCarol.addComment(doc.documentId, 'no')).rejects.toMatchObject({ code: 'CANNOT_COMMENT', status: 403 });
    await expect(asCarol.deleteComment(doc.documentId, first.commentId)).rejects.toMatchObject({ code: 'NOT_COMMENT_AUTHOR' });
    await asBob.deleteComment(doc.documentId, first.commentId);
    expect((await asCarol.listComments(doc.documentId)).map((c) => c.commentId)).toEqual([second.commentId]);
  });

  it('refuses empty and over-long comments before sending anything', async () => {
    const doc = await sharedDocument();
    const asBob = await clientFor(bob);
    await expect(asBob.addComment(doc.documentId, '  ')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(asBob.addComment(doc.documentId, 'é'.repeat(8193))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await asBob.listComments(doc.documentId)).toEqual([]);
  });

  it('shows a comment moved by the server to another id as unreadable, not as the other text', async () => {
    const doc = await sharedDocument();
    const asBob = await clientFor(bob);
    const a = await asBob.addComment(doc.documentId, 'approve');
    const b = await asBob.addComment(doc.documentId, 'reject');
    // A hostile server swaps the two ciphertexts: the AAD binds each to its comment id.
    const swap = (id: string, ciphertext: string) =>
      stack.deps.db.doc.send(
        new UpdateCommand({
          TableName: stack.table,
          Key: keys.comment(doc.documentId, id),
          UpdateExpression: 'SET ciphertext = :c',
          ExpressionAttributeValues: { ':c': ciphertext },
        }),
      );
    const [storedA, storedB] = await listAll(alice, doc.documentId);
    await swap(a.commentId, storedB!.ciphertext);
    await swap(b.commentId, storedA!.ciphertext);
    const listed = await asBob.listComments(doc.documentId);
    expect(listed.map((c) => [c.text, c.textError])).toEqual([
      [undefined, 'DECRYPTION_FAILED'],
      [undefined, 'DECRYPTION_FAILED'],
    ]);
  });
});

describe('the CLI', () => {
  async function coffer(home: string, args: string[], env: Record<string, string> = {}) {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: Object.assign(new Writable({ write: (c, _e, cb) => ((stderr += String(c)), cb()) }), { isTTY: false }),
      stdin: Readable.from([]) as unknown as NodeJS.ReadStream,
      env: { COFFER_HOME: home, COFFER_URL: url, COFFER_ALLOW_WEAK_KDF: '1', ...env },
    };
    const code = await run(['--json', ...args], io);
    return { code, json: stdout.trim() ? JSON.parse(stdout) : undefined, stderr };
  }

  it('comment add, ls and rm', async () => {
    const doc = await sharedDocument();
    const home = await mkdtemp(join(tmpdir(), 'coffer-comments-'));
    expect((await coffer(home, ['login', '--user', 'bob'], { COFFER_PASSPHRASE: bob.passphrase })).code).toBe(0);
    const added = await coffer(home, ['comment', 'add', doc.documentId, 'From the command line']);
    expect(added.code).toBe(0);
    expect(added.json).toMatchObject({ authorId: 'bob', text: 'From the command line', commentId: expect.any(String) });
    const listed = await coffer(home, ['comment', 'ls', doc.documentId]);
    expect(listed.code).toBe(0);
    expect(listed.json.comments.map((c: { text: string }) => c.text)).toEqual(['From the command line']);
    const removed = await coffer(home, ['comment', 'rm', doc.documentId, added.json.commentId]);
    expect(removed).toMatchObject({ code: 0, json: { documentId: doc.documentId, commentId: added.json.commentId, deleted: true } });
    expect((await coffer(home, ['comment', 'ls', doc.documentId])).json.comments).toEqual([]);
    const refused = await coffer(home, ['comment', 'rm', doc.documentId, newCommentId(Date.now())]);
    expect(refused.code).toBe(4);
    expect(refused.json.error.code).toBe('COMMENT_NOT_FOUND');
  });
});
